import { describe, expect, it } from 'vitest';
import { ColumnBatch, valueGetter } from '../../electron/core/table/columns';
import { csvCodec } from '../../electron/core/table/csv/index';
import type { Batch, Schema } from '../../electron/core/table/types';
import { cellColumn } from '../../electron/core/table/csv/cells';
import { CellError, parseCell } from '../../electron/core/table/csv/infer';
import type { LogicalType, Value } from '../../electron/core/table/types';

/** What parseCell (the one definition of a cell's meaning) says: the value, or the error's text. */
function slow(text: string, type: LogicalType, decimalComma = false): Value | string {
  try {
    return parseCell(text, false, type, { decimalComma });
  } catch (e) {
    if (e instanceof CellError) return `error: ${e.message}`;
    throw e;
  }
}

/**
 * The same cells through the CSV reader's column path (fast parsers into a column vector), each given as
 * the tokenizer gives it: a range of a longer text, here between characters that would change its meaning
 * if a parser read past the field (a comma, a digit, a zone letter).
 */
function fast(texts: string[], type: LogicalType, decimalComma = false): (Value | string)[] {
  return texts.flatMap((t) =>
    ['', ',5Z', '0'].map((around) => {
      const col = cellColumn(type, 2, { decimalComma });
      try {
        col.push(`${around}${t}${around}`, around.length, around.length + t.length, false);
      } catch (e) {
        if (e instanceof CellError) return `error: ${e.message}`;
        throw e;
      }
      return valueGetter(col.finish(), type)(0);
    }),
  );
}

const CASES: [LogicalType, string[], boolean?][] = [
  [{ kind: 'boolean' }, ['true', 'false', 'TRUE', 'False', ' true', 'yes', '1']],
  [{ kind: 'int32' }, ['0', '-0', '+0', '7', '-2147483648', '2147483647', '2147483648', '007', ' 12 ', '1.0', '1e3', '-', '+']],
  [{ kind: 'int64' }, ['123456789012345', '9007199254740993', '-9223372036854775808', '9223372036854775808', '-0', '0012']],
  [{ kind: 'decimal', precision: 18, scale: 2 }, ['12.30', '-0.00', '.5', '5.', '-.5', '.', '-', '007.5', '1.234', '1.230', '9999999999999999.99', '99999999999999999.99', '12,3', ' 1.5 ', '1e2']],
  [{ kind: 'decimal', precision: 5, scale: 2 }, ['999.99', '1000.00', '-999.99', '123.4']],
  [{ kind: 'decimal', precision: 38, scale: 9 }, ['12345678901234567890123456789.123456789', '1.5', '-0.000000001']],
  [{ kind: 'decimal', precision: 18, scale: 2 }, ['3,14', '-3,1', '3.14', ',5'], true],
  [{ kind: 'date' }, ['1969-07-20', '2024-02-29', '2023-02-29', '0001-01-01', '0000-03-01', '9999-12-31', '1900-02-29', '2000-02-29', '2026-13-01', '2026-00-10', '2026-1-01', '-0001-01-01', ' 2026-01-01']],
  [
    { kind: 'timestamp', unit: 'us', tz: 'UTC' },
    ['2026-03-29 01:30:00Z', '2026-03-29T01:30:00.5+01:00', '2026-03-29T01:30:00+0100', '2026-03-29T01:30:00-05', '2026-03-29 01:30:00', '2026-03-29 01:30:00.1234567Z', '2026-03-29 01:30Z', '2026-03-29 01:30:00 Z', '2026-03-29 01:30:00z', '1800-01-01 00:00:00Z', '2300-01-01 00:00:00Z', '2026-03-29 24:00:00Z', '2026-03-29 01:30:00,25Z'],
  ],
  [{ kind: 'timestamp', unit: 'ms', tz: null }, ['2026-03-29 01:30:00', '2026-03-29 01:30:00.123', '2026-03-29 01:30:00.1234', '2026-03-29 01:30:00Z', '1969-12-31 23:59:59.999']],
  [{ kind: 'timestamp', unit: 'ns', tz: null }, ['2026-03-29 01:30:00.123456789', '1970-01-02 00:00:00.000000001']],
  [{ kind: 'float64' }, ['1e5', 'NaN', '-inf', '2.5E-3', 'x']],
  [{ kind: 'time', unit: 'us' }, ['13:45:00.123456', '25:00']],
];

describe('CSV cells into column vectors', () => {
  for (const [type, texts, comma] of CASES) {
    it(`${JSON.stringify(type)}${comma ? ' with a decimal comma' : ''}: the fast path gives what parseCell gives, values and errors`, () => {
      expect(fast(texts, type, comma)).toEqual(texts.flatMap((t) => Array(3).fill(slow(t, type, comma))));
    });
  }

  it('every day from year 1 to 9999 (sampled) reads as parseCell reads it', () => {
    const type: LogicalType = { kind: 'date' };
    const texts: string[] = [];
    for (let y = 1; y <= 9999; y += 37) for (let m = 1; m <= 12; m++) for (const d of [1, 28, 29, 30, 31]) texts.push(`${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`);
    expect(fast(texts, type)).toEqual(texts.flatMap((t) => Array(3).fill(slow(t, type))));
  });

  it('an int64 beyond 2^53 turns the vector into exact bigints, earlier values and NULLs kept', () => {
    const type: LogicalType = { kind: 'int64' };
    const col = cellColumn(type, 2, {});
    for (const t of ['1', '', '9007199254740993', '-9223372036854775808', '5']) col.push(t, 0, t.length, false);
    const v = col.finish();
    expect(v.kind).toBe('values');
    const b = new ColumnBatch([v], [type], 5);
    expect(b.rows).toEqual([[1n], [null], [9007199254740993n], [-9223372036854775808n], [5n]]);
  });

  it('a row view of a column batch: NULL vs empty string, booleans, bigints', () => {
    const types: LogicalType[] = [{ kind: 'string' }, { kind: 'boolean' }, { kind: 'timestamp', unit: 'us', tz: 'UTC' }];
    const cols = types.map((t) => cellColumn(t, 1, {}));
    const rows: [string, boolean][][] = [
      [['', true], ['true', false], ['2026-03-29 01:30:00Z', false]],
      [['', false], ['', false], ['', false]],
    ];
    for (const r of rows) r.forEach(([text, quoted], c) => cols[c].push(text, 0, text.length, quoted));
    const b = new ColumnBatch(cols.map((c) => c.finish()), types, 2);
    expect(b.rows).toEqual([
      ['', true, 1774747800000000n],
      [null, null, null],
    ]);
  });

  it('writers follow the rows once they were read: changed in place, or copied with other rows', async () => {
    const types: LogicalType[] = [{ kind: 'int64' }, { kind: 'string' }];
    const schema: Schema = { columns: [{ name: 'id', type: types[0] }, { name: 's', type: types[1] }] };
    const make = () => {
      const cols = types.map((t) => cellColumn(t, 2, {}));
      ['1', 'a'].forEach((t, c) => cols[c].push(t, 0, 1, false));
      ['2', 'b'].forEach((t, c) => cols[c].push(t, 0, 1, false));
      return new ColumnBatch(cols.map((c) => c.finish()), types, 2, [2, 3]);
    };
    const csv = async (batch: Batch) => {
      const parts: Uint8Array[] = [];
      for await (const p of csvCodec.write(schema, (async function* () { yield batch; })(), {})) parts.push(p);
      return Buffer.concat(parts).toString('utf8');
    };
    expect(await csv(make())).toBe('id,s\n1,a\n2,b\n');
    const changed = make();
    changed.rows[0][1] = 'A';
    changed.rows.pop();
    expect(await csv(changed)).toBe('id,s\n1,A\n');
    expect(await csv({ ...make(), rows: [[9n, 'z']] } as Batch)).toBe('id,s\n9,z\n');
  });

  it('a column batch from CSV cells is written back to the same CSV text (numbers printed without BigInt)', async () => {
    const types: LogicalType[] = [{ kind: 'decimal', precision: 18, scale: 2 }, { kind: 'timestamp', unit: 'us', tz: 'UTC' }, { kind: 'date' }, { kind: 'boolean' }, { kind: 'int32' }, { kind: 'time', unit: 'us' }];
    const schema: Schema = { columns: types.map((type, i) => ({ name: `c${i}`, type })) };
    const lines = ['-0.05,1969-12-31T23:59:59.999999Z,0001-01-01,true,-7,13:45:00.5', '12.30,2026-03-29T01:30:00Z,2026-03-29,false,0,00:00:00', ',,,,,'];
    const cols = types.map((t) => cellColumn(t, 4, {}));
    for (const l of lines) l.split(',').forEach((text, c) => cols[c].push(text, 0, text.length, false));
    const batch = new ColumnBatch(cols.map((c) => c.finish()), types, lines.length);
    expect(batch.columns.every((c) => c.kind === 'numbers')).toBe(true);
    const parts: Uint8Array[] = [];
    for await (const p of csvCodec.write(schema, (async function* () { yield batch; })(), {})) parts.push(p);
    expect(Buffer.concat(parts).toString('utf8')).toBe(['c0,c1,c2,c3,c4,c5', ...lines, ''].join('\n'));
  });
});
