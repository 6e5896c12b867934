import { describe, expect, it } from 'vitest';
import { isoDay, isoTimestamp } from '../../electron/core/databases/iso-cells';
import { convertValue } from '../../electron/core/databases/load-transforms';
import { CellError, parseCell } from '../../electron/core/table/csv/infer';
import type { LogicalType, TimeUnit } from '../../electron/core/table/types';
import { parseDate, parseTimestamp } from '../../electron/core/table/values';

/**
 * The load's fast date and timestamp readers agree with the table layer's general parsers on every text they
 * accept, and leave every other text (and every bad one) to them.
 */
const TEXTS = [
  '2026-03-29 01:30:00', '2026-03-29T01:30:00', '2026-03-29t01:30:00z', '2026-03-29 01:30:00Z', '2026-03-29 01:30:00.5+01:00', '2026-03-29 01:30:00.123456-0930',
  '1969-12-31 23:59:59.999999+00', '1901-12-13 20:45:52.5-03', '0001-01-01 00:00:00.001', '9999-12-31 23:59:59.999999999', '2000-02-29 12:00:00.1234567',
  '2023-02-29 00:00:00', '2026-13-01 00:00:00', '2026-03-29 24:00:00', '2026-03-29 23:60:00', '2026-03-29 23:59:60', '2026-03-29 01:30', ' 2026-03-29 01:30:00',
  '2026-03-29 01:30:00 ', '2026-03-29 01:30:00 +01', '2026-03-29 01:30:00,5', '2026-03-29 01:30:00.', '2026-03-29 01:30:00+1', '2026-03-29 01:30:00+01:0',
  '10000-01-01 00:00:00', '-0001-01-01 00:00:00', '2026-03-29 01:30:00.500000000', '2026-3-29 01:30:00', 'infinity', '2026-03-29', '', 'x'.repeat(25),
];

describe('ISO dates and timestamps read fast, as the general parsers read them', () => {
  for (const unit of ['ms', 'us', 'ns'] as TimeUnit[]) {
    it(`timestamps in ${unit}`, () => {
      for (const s of TEXTS) {
        const fast = isoTimestamp(s, unit);
        if (fast) expect([s, fast]).toEqual([s, parseTimestamp(s, unit)]);
      }
      expect(isoTimestamp('2026-03-29 01:30:00.5+01:00', unit)).toBeDefined();
    });
  }

  it('days: every day of 1899-2101 and of years 0000-0004, and texts that are not dates, as parseDate reads them', () => {
    const texts = ['2023-02-29', '2024-02-29', '1900-02-29', '2000-02-29', '2026-04-31', '2026-00-10', '2026-13-01', '2026-01-00', '2026-1-01', '20a6-01-01', '-001-01-01'];
    for (let d = new Date(Date.UTC(1899, 0, 1)); d.getUTCFullYear() < 2102; d.setUTCDate(d.getUTCDate() + 1)) texts.push(d.toISOString().slice(0, 10));
    for (const y of ['0000', '0001', '0004']) for (const md of ['01-01', '02-28', '02-29', '03-01', '12-31']) texts.push(`${y}-${md}`);
    for (const t of texts) expect([t, isoDay(t)]).toEqual([t, parseDate(t)]);
  });

  const types: LogicalType[] = [{ kind: 'date' }, { kind: 'timestamp', unit: 'us', tz: 'UTC' }, { kind: 'timestamp', unit: 'us', tz: null }, { kind: 'timestamp', unit: 'ms', tz: 'UTC' }];
  it('a load cell converts to the same value, or fails with the same error', () => {
    const outcome = (f: () => unknown) => {
      try {
        return f();
      } catch (e) {
        if (e instanceof CellError) return `CellError: ${e.message}`;
        throw e;
      }
    };
    for (const to of types) {
      for (const s of [...TEXTS, '1969-07-20', '2023-02-29', '1969-7-20', ' 1969-07-20']) {
        expect([s, to, outcome(() => convertValue(s, { kind: 'string' }, to))]).toEqual([s, to, outcome(() => parseCell(s, true, to))]);
      }
    }
  });
});
