import { describe, expect, it } from 'vitest';
import { converter } from '../../electron/core/databases/postgres/copy-text';
import { byteReader } from '../../electron/core/databases/postgres/copy-values';
import type { LogicalType } from '../../electron/core/table/types';

/**
 * PostgreSQL's typed text read straight from bytes gives the value the general string path gives, and
 * leaves to it every text outside the canonical shape.
 */
const CASES: Array<[LogicalType, string[]]> = [
  [{ kind: 'boolean' }, ['t', 'f', 'true', '']],
  [{ kind: 'int32' }, ['0', '-1', '2147483647', '-2147483648', '007', '-0', '+5', '1e3']],
  [{ kind: 'int64' }, ['0', '-1', '999999999999999', '9999999999999999', '9223372036854775807', '-9223372036854775808', '12a']],
  [{ kind: 'decimal', precision: 12, scale: 2 }, ['0.00', '1.37', '-0.50', '-12.00', '1234567890.12', '99999999999.99', '1.5', '.50', 'NaN', '1.370']],
  [{ kind: 'decimal', precision: 38, scale: 9 }, ['12345678901234567890123456789.123456789', '-0.000000001', '0.000000000', '1234567.123456789', '-9007199.254740991']],
  [{ kind: 'decimal', precision: 5, scale: 0 }, ['0', '-12345', '12345']],
  [{ kind: 'date' }, ['1970-01-01', '1969-07-20', '0001-01-01', '2000-02-29', '2100-03-01', '9999-12-31', '10000-01-01', '0044-03-15 BC', 'infinity']],
  [{ kind: 'timestamp', unit: 'us', tz: 'UTC' }, ['2026-03-29 00:59:59.999999+00', '1969-12-31 23:59:59.000001+00', '0001-01-01 00:00:00+00', '2020-01-01 00:00:37.5+00', '1901-12-13 20:45:52.5+05:30', '9999-12-31 23:59:59.999999+00', '2026-01-01 00:00:00-03']],
  [{ kind: 'timestamp', unit: 'us', tz: null }, ['2026-03-29 02:30:00', '0001-01-01 00:00:00.001', '1969-12-31 23:59:59.999999', '2000-02-29 12:00:00.5', '2026-03-29 02:30:00+00']],
];

describe('COPY values read from bytes', () => {
  for (const [type, texts] of CASES) {
    it(`${JSON.stringify(type)}: the string path's value, or left to it`, () => {
      const read = byteReader(type)!;
      const general = converter({ name: 'c', type }, 'test');
      let fast = 0;
      for (const text of texts) {
        const got = read(Buffer.from(text), 0, Buffer.byteLength(text));
        if (got === undefined) continue;
        fast++;
        expect([text, got]).toEqual([text, general(text, 1)]);
      }
      expect(fast).toBeGreaterThan(1);
    });
  }
});
