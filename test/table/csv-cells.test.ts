import { describe, expect, it } from 'vitest';
import { cellWriter, CsvOut } from '../../electron/core/table/csv/cell-bytes';
import type { ColumnVector, LogicalType, Value } from '../../electron/core/table/types';
import { valueToText } from '../../electron/core/table/values';

/**
 * The CSV writer's cells are written as bytes without a string per cell (cell-bytes.ts). They must be the
 * bytes of the values' text (values.ts) under the writer's quoting rule, for every type, from both column
 * forms (a 'numbers' column and a column of row-form values), whatever the delimiter.
 */
const byRule = (s: string | null, delimiter: string) => {
  if (s === null) return '';
  if (s === '') return '""';
  const needs = new RegExp(`[${delimiter.replace(/[\\\]^-]/g, '\\$&')}"\\r\\n]|^\\s|\\s$`);
  return needs.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
};

function written(v: ColumnVector, t: LogicalType, n: number, delimiter: string, checked: boolean): string[] {
  const out = new CsvOut(16);
  const write = cellWriter(out, v, t, delimiter.charCodeAt(0), checked);
  const cells: string[] = [];
  for (let i = 0; i < n; i++) {
    const from = out.at;
    write(i);
    cells.push(Buffer.from(out.buf.subarray(from, out.at)).toString('utf8'));
  }
  return cells;
}

const MAX = Number.MAX_SAFE_INTEGER;
const NUMBERS: Array<[LogicalType, number[]]> = [
  [{ kind: 'int32' }, [0, -0, 1, -1, 9, 10, 2147483647, -2147483648]],
  [{ kind: 'int64' }, [0, 7, -7, 1e15, MAX, -MAX, 123456789012345]],
  [{ kind: 'decimal', precision: 38, scale: 9 }, [0, 1, -1, 999999999, 1000000000, -123456789012, MAX, -MAX]],
  [{ kind: 'decimal', precision: 12, scale: 2 }, [0, 5, -5, 50, 137, -100, 99999999999, 4503599627370497]],
  [{ kind: 'decimal', precision: 18, scale: 0 }, [0, -42, MAX]],
  [{ kind: 'decimal', precision: 38, scale: 18 }, [1, -1, 123456789]],
  [{ kind: 'date' }, [0, -1, 19000, -719528, -719529, 2932896, 2932897, -800000, 10957]],
  [{ kind: 'timestamp', unit: 'us', tz: 'UTC' }, [0, -1, 1, 1_500_000, 37_250_000, -62135596800000000, 253402300799999999 > MAX ? 1e15 : 0, 1711673999999999, 1711674000000001]],
  [{ kind: 'timestamp', unit: 'ms', tz: null }, [0, -1, 999, 1000, 1711673999990, -86_400_001]],
  [{ kind: 'timestamp', unit: 'ns', tz: 'UTC' }, [0, 1, -1, 1711673999999999]],
  [{ kind: 'time', unit: 'us' }, [0, 1, 86_399_999_999]],
  [{ kind: 'boolean' }, [0, 1]],
  [{ kind: 'float64' }, [0, -0, 0.1, -1.5e-7, 1e21, NaN, Infinity, -Infinity, 3.4e38]],
];

const rowValue = (x: number, t: LogicalType): Value =>
  t.kind === 'boolean' ? x !== 0 : t.kind === 'int64' || t.kind === 'decimal' || t.kind === 'time' || t.kind === 'timestamp' ? BigInt(x) : x;

const TEXTS = ['', 'plain', ' lead', 'trail ', '\u00a0nbsp', 'nbsp\u00a0', '\u3000wide', '\ufeffbom', 'say "hi"', '"', 'a,b', 'a;b', 'a|b', 'a\tb', 'line\nbreak', 'cr\rhere', 'ünïcødé', 'ünï "q"', '😀', '007', 'x'.repeat(5000), 'say "hé"', 'a,ü', 'abc"', '"""', 'x'.repeat(3000) + ',', 'tab\there é'];

describe('CSV cells as bytes', () => {
  for (const delimiter of [',', ';', '\t', '|', ':']) {
    it(`numbers, dates and timestamps, delimiter ${JSON.stringify(delimiter)}: the text of values.ts, quoted by the writer's rule`, () => {
      const checked = delimiter === ':';
      for (const [t, xs] of NUMBERS) {
        const nulls = new Uint8Array(xs.length + 1);
        nulls[xs.length] = 1;
        const expected = [...xs.map((x) => byRule(valueToText(rowValue(x, t), t), delimiter)), ''];
        const numbers: ColumnVector = { kind: 'numbers', values: Float64Array.from([...xs, 0]), nulls };
        expect(written(numbers, t, xs.length + 1, delimiter, checked), `${t.kind} numbers`).toEqual(expected);
        const values: ColumnVector = { kind: 'values', values: [...xs.map((x) => rowValue(x, t)), null] };
        expect(written(values, t, xs.length + 1, delimiter, checked), `${t.kind} values`).toEqual(expected);
      }
    });

    it(`text, delimiter ${JSON.stringify(delimiter)}: NULL empty, the empty string "", quoted when the rule says`, () => {
      const values: ColumnVector = { kind: 'values', values: [...TEXTS, null] };
      const expected = [...TEXTS.map((s) => byRule(s, delimiter)), ''];
      expect(written(values, { kind: 'string' }, TEXTS.length + 1, delimiter, true)).toEqual(expected);
    });
  }

  it('int64 and decimal values beyond 2^53 keep every digit', () => {
    const big = [9223372036854775807n, -9223372036854775808n, 9007199254740993n];
    const t: LogicalType = { kind: 'decimal', precision: 38, scale: 9 };
    expect(written({ kind: 'values', values: big }, { kind: 'int64' }, 3, ',', false)).toEqual(big.map(String));
    expect(written({ kind: 'values', values: big }, t, 3, ',', false)).toEqual(big.map((x) => valueToText(x, t)));
  });
});
