import { gzipSync } from 'node:zlib';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { bufferByteSource } from '../../electron/core/table/byte-source';
import { csvCodec } from '../../electron/core/table/csv';
import type { Batch, ReadOptions, Schema } from '../../electron/core/table/types';
import { rowToJson, typeName } from '../../electron/core/table/values';

/** The CSV reader's sniffing, types and errors, and its writer, on files made here byte by byte. */
async function read(name: string, bytes: Uint8Array | string, opts: ReadOptions = {}) {
  const src = bufferByteSource(name, typeof bytes === 'string' ? Buffer.from(bytes) : bytes);
  const r = await csvCodec.open(src, opts);
  const rows: unknown[][] = [];
  for await (const b of r.batches()) for (const row of b.rows) rows.push(rowToJson(row, r.schema.columns));
  return { r, rows, types: r.schema.columns.map((c) => `${c.name}:${typeName(c.type)}`) };
}

async function text(schema: Schema, rows: Batch['rows'], opts = {}): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of csvCodec.write(schema, (async function* () { yield { rows }; })(), opts)) parts.push(p);
  return Buffer.concat(parts);
}

describe('CSV reader', () => {
  it('the first rows of a big file come from its head alone, and every row is read whole across the head\'s pieces', async () => {
    // Quoted fields with line breaks in every row: records cross the head's pieces (cut at line breaks) anywhere.
    const lines = ['id,note,amount'];
    const pad = 'x'.repeat(60);
    for (let i = 1; i <= 30_000; i++) lines.push(`${i},"line ${i}\nsecond, line ${pad}",${i}.${String(i % 100).padStart(2, '0')}`);
    const src = bufferByteSource('big.csv', Buffer.from(lines.join('\n') + '\n'));
    const r = await csvCodec.open(src, {});
    const first: unknown[][] = [];
    for await (const b of r.batches()) {
      first.push(...b.rows);
      if (first.length >= 100) break;
    }
    expect(first[99]).toEqual([100, `line 100\nsecond, line ${pad}`, 10000n]);
    expect(src.bytesRead).toBeLessThanOrEqual(256 * 1024);
    const all = await read('big.csv', lines.join('\n') + '\n');
    expect(all.rows).toHaveLength(30_000);
    expect(all.rows.every((row, i) => row[0] === i + 1 && row[1] === `line ${i + 1}\nsecond, line ${pad}`)).toBe(true);
    expect(all.rows[29_999]).toEqual([30_000, `line 30000\nsecond, line ${pad}`, '30000.00']);
  });

  it('a semicolon file with decimal commas, CRLF and a header', async () => {
    const { r, rows, types } = await read('p.csv', 'sku;price;qty\r\n007;3,14;2\r\nA-2;-10,50;3\r\n');
    expect(r.dialect).toMatchObject({ delimiter: ';', header: true, lineEnding: '\r\n', decimalComma: true });
    expect(types).toEqual(['sku:string', 'price:decimal(18,2)', 'qty:int32']);
    expect(rows).toEqual([['007', '3.14', 2], ['A-2', '-10.50', 3]]);
  });

  it('TSV, pipes and single quotes are sniffed', async () => {
    expect((await read('t.txt', 'a\tb\n1\tx y\n2\tz\n')).r.dialect!.delimiter).toBe('\t');
    expect((await read('p.txt', 'a|b\n1|x\n2|y\n')).r.dialect!.delimiter).toBe('|');
    const q = await read('q.csv', "a,b\n1,'x, y'\n2,'z'\n");
    expect(q.r.dialect!.quote).toBe("'");
    expect(q.rows[0]).toEqual([1, 'x, y']);
  });

  it('every data row quoting a field with a comma and doubled quotes: the header\'s columns, not one more', async () => {
    const body = Array.from({ length: 60 }, (_, i) => `${i},"customer ""${i}"", street ${i % 7}",true`).join('\n');
    const plain = await read('c.csv', `id,name,flag\n${body}\n`);
    expect(plain.r.dialect).toMatchObject({ delimiter: ',', quote: '"' });
    expect(plain.types).toEqual(['id:int32', 'name:string', 'flag:boolean']);
    expect(plain.rows[1]).toEqual([1, 'customer "1", street 1', true]);
    // Apostrophes in the text do not make ' the quote either.
    const apos = await read('a.csv', `id,name,flag\n${body.replace(/customer/g, "O'Brien's")}\n`);
    expect(apos.r.dialect!.quote).toBe('"');
    expect(apos.rows[2]).toEqual([2, `O'Brien's "2", street 2`, true]);
  });

  it('encodings: UTF-16LE with BOM, UTF-8 with BOM, Windows-1252', async () => {
    const u16 = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from('name,n\nÉté,1\n', 'utf16le')]);
    const a = await read('u16.csv', u16);
    expect(a.r.dialect).toMatchObject({ encoding: 'utf-16le', bom: true });
    expect(a.rows).toEqual([['Été', 1]]);
    const b = await read('bom.csv', Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('name\ncafé\n')]));
    expect(b.r.schema.columns[0].name).toBe('name');
    expect(b.r.dialect!.bom).toBe(true);
    // 0x80-0x9F are letters and signs in Windows-1252 (€, curly quotes, Œ), not the control characters of
    // Latin-1 (as Node 20's TextDecoder reads them outside streaming mode), in the header as in the rows.
    const c = await read('w.csv', iconv.encode('prix €\ncrème\n“12 €” Œuvre — fin\n', 'windows-1252'));
    expect(c.r.dialect!.encoding).toBe('windows-1252');
    expect(c.r.schema.columns[0].name).toBe('prix €');
    expect(c.rows).toEqual([['crème'], ['“12 €” Œuvre — fin']]);
  });

  it('CR line endings, a headerless file, and gzip', async () => {
    const cr = await read('cr.csv', 'a,b\r1,2\r3,4\r');
    expect(cr.r.dialect!.lineEnding).toBe('\r');
    expect(cr.rows).toEqual([[1, 2], [3, 4]]);
    const nh = await read('nh.csv', '1,2026-01-01\n2,2026-01-02\n');
    expect(nh.r.dialect!.header).toBe(false);
    expect(nh.types).toEqual(['column1:int32', 'column2:date']);
    const gz = await read('x.csv.gz', gzipSync('id,big\n1,9007199254740993\n'));
    expect(gz.r.dialect!.gzip).toBe(true);
    expect(gz.rows).toEqual([[1, '9007199254740993']]);
  });

  it('leading zeros stay text; integers beyond 2^63 are exact decimals; exponent notation is float', async () => {
    const { types } = await read('n.csv', 'code,huge,f\n007,123456789012345678901234,1e5\n12,1,2.5\n');
    expect(types).toEqual(['code:string', 'huge:decimal(38,0)', 'f:float64']);
  });

  it('an unterminated quote names the line where it opened', async () => {
    await expect(read('bad.csv', 'a,b\n1,x\n2,"never closed\n3,y\n')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/bad\.csv line 3/) });
  });

  it('a value that does not fit its column names file, line, column and value', async () => {
    const lines = ['n'];
    for (let i = 0; i < 30_000; i++) lines.push(String(i));
    lines.push('oops');
    await expect(read('late.csv', lines.join('\n') + '\n')).rejects.toMatchObject({ detail: { line: 30_002, column: 'n', value: 'oops' } });
  });

  it('invalid UTF-8 is reported with its line', async () => {
    const bytes = Buffer.concat([Buffer.from('a\n'.repeat(10) + 'x'), Buffer.from([0xff, 0xfe, 0x41]), Buffer.from('\n')]);
    const { r } = await read('inv.csv', Buffer.concat([Buffer.from('h\n'), Buffer.from('é\n'), bytes]), { encoding: 'utf-8' });
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'INVALID_ENCODING', line: 13 })]);
  });

  it('a UTF-8 file with one broken line is still read as UTF-8 (its accents intact), the broken line reported', async () => {
    const lines = ['name,city'];
    for (let i = 0; i < 50; i++) lines.push(`Zoë ${i},Zürich`);
    const bytes = Buffer.concat([Buffer.from(lines.join('\n') + '\n'), Buffer.from('Bad '), Buffer.from([0xe9]), Buffer.from(',Genève\n')]);
    const { r, rows } = await read('mostly.csv', bytes);
    expect(r.dialect!.encoding).toBe('utf-8');
    expect(rows[0]).toEqual(['Zoë 0', 'Zürich']);
    expect(rows[50][1]).toBe('Genève');
    expect(r.warnings).toEqual([expect.objectContaining({ code: 'INVALID_ENCODING', line: 52 })]);
    // A Windows-1252 file is still one: its accents are not UTF-8 at all.
    const w = await read('w2.csv', iconv.encode(lines.join('\n') + '\n', 'windows-1252'));
    expect(w.r.dialect!.encoding).toBe('windows-1252');
    expect(w.rows[0]).toEqual(['Zoë 0', 'Zürich']);
  });

  it('one 20 MB line without a newline fails with its line number instead of filling memory', async () => {
    await expect(read('one.csv', Buffer.alloc(20 * 2 ** 20, 'x'))).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/line 1/) });
  });
});

describe('CSV writer', () => {
  const schema: Schema = { columns: [{ name: 'id', type: { kind: 'int64' } }, { name: 'note', type: { kind: 'string' } }] };

  it('NULL is an empty field, the empty string is "", and both read back as they were', async () => {
    const out = await text(schema, [[1n, null], [2n, ''], [3n, 'a,"b"\nc'], [4n, ' pad ']]);
    expect(out.toString()).toBe('id,note\n1,\n2,""\n3,"a,""b""\nc"\n4," pad "\n');
    const back = await read('back.csv', out);
    expect(back.rows).toEqual([[1, null], [2, ''], [3, 'a,"b"\nc'], [4, ' pad ']].map(([a, b]) => [a, b]));
  });

  it('Windows-1252 output refuses a character it cannot hold, naming it', async () => {
    expect((await text(schema, [[1n, 'crème']], { encoding: 'windows-1252' })).includes(0xe8)).toBe(true);
    await expect(text(schema, [[1n, '東京']], { encoding: 'windows-1252' })).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/東/) });
  });
});
