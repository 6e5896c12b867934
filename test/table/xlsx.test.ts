import ExcelJS from 'exceljs';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferByteSource, fileByteSource } from '../../electron/core/table/byte-source';
import type { Schema, Value } from '../../electron/core/table/types';
import { rowToJson, typeName } from '../../electron/core/table/values';
import { xlsxCodec } from '../../electron/core/table/xlsx';
import { writeXlsx } from '../../electron/core/table/xlsx/writer';
import { tempDir } from '../support/temp';

/** xlsx: Ferry's reader on workbooks ExcelJS made, Ferry's writer read back by ExcelJS (an independent reader). */
const dir = tempDir('ferry-xlsx-');
afterAll(() => dir.cleanup());

async function rows(bytes: Uint8Array, sheet?: string | number) {
  const src = bufferByteSource('book.xlsx', bytes);
  const r = await xlsxCodec.open(src, sheet === undefined ? {} : { sheet });
  const out: unknown[][] = [];
  for await (const b of r.batches()) for (const row of b.rows) out.push(rowToJson(row, r.schema.columns));
  return { r, out, types: r.schema.columns.map((c) => `${c.name}:${typeName(c.type)}`) };
}

async function collect(gen: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of gen) parts.push(p);
  return Buffer.concat(parts);
}

describe('xlsx reader', () => {
  it('sheets, shared strings, dates from styles, empty cells as NULL, sparse rows', async () => {
    const wb = new ExcelJS.Workbook();
    const a = wb.addWorksheet('Orders');
    a.addRow(['id', 'customer', 'due', 'amount']);
    a.addRow([1, 'Ünïcode 東京', new Date(Date.UTC(1969, 6, 20)), 12.5]);
    a.addRow([2, null, new Date(Date.UTC(2026, 2, 29)), null]);
    a.getCell('D4').value = 7;
    const b = wb.addWorksheet('Notes');
    b.addRow(['k', 'v']);
    b.addRow(['x', true]);
    const file = join(dir.path, 'in.xlsx');
    await wb.xlsx.writeFile(file);
    const one = await rows(readFileSync(file));
    expect(one.r.sheets).toEqual(['Orders', 'Notes']);
    expect(one.types).toEqual(['id:int64', 'customer:string', 'due:date', 'amount:float64']);
    expect(one.out).toEqual([
      ['1', 'Ünïcode 東京', '1969-07-20', 12.5],
      ['2', null, '2026-03-29', null],
      [null, null, null, 7],
    ]);
    const two = await rows(readFileSync(file), 'Notes');
    expect(two.out).toEqual([['x', true]]);
    await expect(rows(readFileSync(file), 'Missing')).rejects.toMatchObject({ code: 'NOT_FOUND', message: expect.stringMatching(/"Orders", "Notes"/) });
  });

  it('the first rows of a large sheet cost a small part of the file', async () => {
    const file = join(dir.path, 'big.xlsx');
    const w = new ExcelJS.stream.xlsx.WorkbookWriter({ filename: file, useSharedStrings: false });
    const s = w.addWorksheet('Data');
    s.addRow(['id', 'text']).commit();
    for (let i = 1; i <= 200_000; i++) s.addRow([i, `row ${i} ${'x'.repeat(20)}`]).commit();
    await w.commit();
    const src = await fileByteSource(file);
    const r = await xlsxCodec.open(src, {});
    let n = 0;
    for await (const b of r.batches({ limit: 100 })) n += b.rows.length;
    expect(n).toBe(100);
    expect(src.bytesRead / src.size).toBeLessThan(0.1);
  });

  it('an old .xls and a password-protected workbook are refused with what to do', async () => {
    const ole = Buffer.alloc(8192);
    Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]).copy(ole);
    await expect(rows(ole)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/save it as \.xlsx/) });
    // A synthetic compound file whose directory names the EncryptionInfo stream, as Excel's encrypted files do.
    Buffer.from('EncryptionInfo', 'utf16le').copy(ole, 1024);
    await expect(rows(ole)).rejects.toMatchObject({ code: 'UNSUPPORTED', message: expect.stringMatching(/password/) });
    await expect(rows(Buffer.from('id,name\n1,a\n'))).rejects.toMatchObject({ code: 'INVALID_INPUT' });
  });
});

describe('xlsx writer', () => {
  const schema: Schema = {
    columns: [
      { name: 'big', type: { kind: 'int64' } },
      { name: 'amount', type: { kind: 'decimal', precision: 38, scale: 9 } },
      { name: 'day', type: { kind: 'date' } },
      { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
      { name: 'note', type: { kind: 'string' } },
      { name: 'ok', type: { kind: 'boolean' } },
    ],
  };
  const data: Value[][] = [
    [-9223372036854775808n, 12345678901234567890123456789123456789n, -25000, 1774745999999999n, '', true],
    [42n, 1250000000n, 20541, 1774746000000000n, 'a\r\nb <&> _x0041_', false],
    [null, null, null, null, null, null],
  ];

  it('Ferry reads its own file back exactly', async () => {
    const bytes = await collect(writeXlsx(schema, (async function* () { yield { rows: data }; })(), {}));
    const back = await rows(bytes);
    expect(back.r.sheets).toEqual(['Sheet1']);
    expect(back.types).toEqual(['big:int64', 'amount:decimal(38,9)', 'day:date', 'at:timestamp[us, UTC]', 'note:string', 'ok:boolean']);
    expect(back.out).toEqual([
      ['-9223372036854775808', '12345678901234567890123456789.123456789', '1901-07-22', '2026-03-29T00:59:59.999999Z', '', true],
      ['42', '1.250000000', '2026-03-29', '2026-03-29T01:00:00Z', 'a\r\nb <&> _x0041_', false],
      [null, null, null, null, null, null],
    ]);
  });

  it('ExcelJS reads what Ferry wrote: numbers, dates, text and booleans', async () => {
    const file = join(dir.path, 'out.xlsx');
    const bytes = await collect(writeXlsx(schema, (async function* () { yield { rows: data }; })(), {}));
    writeFileSync(file, bytes);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(file);
    const s = wb.getWorksheet('Sheet1')!;
    expect(s.getRow(1).values).toEqual([undefined, 'big', 'amount', 'day', 'at', 'note', 'ok']);
    expect(s.getCell('A2').value).toBe('-9223372036854775808');
    expect(s.getCell('A3').value).toBe(42);
    expect(s.getCell('C3').value).toEqual(new Date(Date.UTC(2026, 2, 29)));
    expect(s.getCell('D3').value).toEqual(new Date(Date.UTC(2026, 2, 29, 1)));
    expect(s.getCell('F2').value).toBe(true);
  });

  it('past Excel\'s row limit the write fails instead of cutting the table', async () => {
    const many = (async function* () { yield { rows: Array.from({ length: 10 }, (_, i): Value[] => [BigInt(i), null, null, null, null, null]) }; })();
    await expect(collect(writeXlsx(schema, many, { maxRows: 5 }))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/at most 5 rows/) });
  });
});
