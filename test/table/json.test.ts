import { DuckDBInstance } from '@duckdb/node-api';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { bufferByteSource } from '../../electron/core/table/byte-source';
import { jsonCodec, ndjsonCodec } from '../../electron/core/table/json';
import type { FormatCodec, Schema, Value } from '../../electron/core/table/types';
import { rowToJson, typeName } from '../../electron/core/table/values';
import { tempDir } from '../support/temp';

/** JSON arrays and NDJSON: numbers read from their text (no float on the way), streamed, with errors that say where. */
const dir = tempDir('ferry-json-');
afterAll(() => dir.cleanup());

async function read(codec: FormatCodec, name: string, text: string) {
  const r = await codec.open(bufferByteSource(name, Buffer.from(text)), {});
  const rows: unknown[][] = [];
  for await (const b of r.batches()) for (const row of b.rows) rows.push(rowToJson(row, r.schema.columns));
  return { types: r.schema.columns.map((c) => `${c.name}:${typeName(c.type)}`), rows };
}

async function write(codec: FormatCodec, schema: Schema, rows: Value[][]): Promise<string> {
  const parts: Uint8Array[] = [];
  for await (const p of codec.write(schema, (async function* () { yield { rows }; })(), {})) parts.push(p);
  return Buffer.concat(parts).toString('utf8');
}

describe('JSON and NDJSON', () => {
  it('a JSON array: exact big integers and decimals, dates from strings, NULL, nested values as json', async () => {
    const { types, rows } = await read(jsonCodec, 'a.json', '[{"id": 9007199254740993, "amount": 0.1, "day": "1969-07-20", "tags": ["a", {"n": 9007199254740993}]},\n {"id": -9223372036854775808, "amount": 12.25, "day": null, "extra": "x"}]');
    expect(types).toEqual(['id:int64', 'amount:decimal(18,2)', 'day:date', 'tags:json', 'extra:string']);
    expect(rows).toEqual([
      ['9007199254740993', '0.10', '1969-07-20', '["a",{"n":9007199254740993}]', null],
      ['-9223372036854775808', '12.25', null, null, 'x'],
    ]);
  });

  it('writer → reader, and DuckDB reads what Ferry wrote with the same values', async () => {
    const schema: Schema = {
      columns: [
        { name: 'id', type: { kind: 'int64' } },
        { name: 'amount', type: { kind: 'decimal', precision: 18, scale: 9 } },
        { name: 'note', type: { kind: 'string' } },
        { name: 'at', type: { kind: 'timestamp', unit: 'us', tz: 'UTC' } },
      ],
    };
    const rows: Value[][] = [
      [-9223372036854775808n, -1n, '', 1774745999999999n],
      [9007199254740993n, 123456789000000000n, null, null],
    ];
    const text = await write(ndjsonCodec, schema, rows);
    expect(text.split('\n')[0]).toBe('{"id":-9223372036854775808,"amount":-0.000000001,"note":"","at":"2026-03-29T00:59:59.999999Z"}');
    const back = await read(ndjsonCodec, 'b.ndjson', text);
    expect(back.rows).toEqual([
      ['-9223372036854775808', '-0.000000001', '', '2026-03-29T00:59:59.999999Z'],
      ['9007199254740993', '123456789.000000000', null, null],
    ]);
    const file = join(dir.path, 'w.json');
    writeFileSync(file, await write(jsonCodec, schema, rows));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const got = (await duck.runAndReadAll(`SELECT id::VARCHAR AS id, note FROM read_json('${file}')`)).getRowObjectsJson();
    expect(got).toEqual([{ id: '-9223372036854775808', note: '' }, { id: '9007199254740993', note: null }]);
  });

  it('bad input says where: a cut array, a bad NDJSON line, a file that is not JSON', async () => {
    await expect(read(jsonCodec, 'cut.json', '[{"a": 1}, {"a": 2')).rejects.toMatchObject({ code: 'INVALID_INPUT', message: expect.stringMatching(/cut short/) });
    await expect(read(ndjsonCodec, 'bad.ndjson', '{"a": 1}\n{"a": 2\n{"a": 3}\n')).rejects.toMatchObject({ detail: { line: 2 } });
    await expect(read(jsonCodec, 'x.json', 'id,name\n1,a\n')).rejects.toMatchObject({ message: expect.stringMatching(/not a JSON array/) });
    const late = Array.from({ length: 1000 }, (_, i) => `{"n": ${i}}`).join('\n') + '\n{"n": "x"}\n';
    await expect(read(ndjsonCodec, 'late.ndjson', late)).rejects.toMatchObject({ detail: { line: 1001, column: 'n' } });
  });
});
