import { describe, expect, it } from 'vitest';
import {
  formatDate,
  formatDecimal,
  formatTime,
  formatTimestamp,
  parseDate,
  parseDecimal,
  parseTime,
  parseTimestamp,
  toJsonValue,
  typeName,
} from '../../electron/core/table/values';

/** The exact text forms every format shares: nothing goes through a float. */
describe('table values', () => {
  it('decimals keep every digit, both ways', () => {
    expect(parseDecimal('12345678901234567890123456789.123456789', 38, 9)).toBe(12345678901234567890123456789123456789n);
    expect(formatDecimal(12345678901234567890123456789123456789n, 9)).toBe('12345678901234567890123456789.123456789');
    expect(formatDecimal(-1n, 9)).toBe('-0.000000001');
    expect(parseDecimal('-0.000000001', 38, 9)).toBe(-1n);
    expect(parseDecimal('3,14', 18, 2, true)).toBe(314n);
    expect(parseDecimal('1.234', 18, 2)).toBeNull();
    expect(parseDecimal('abc', 18, 2)).toBeNull();
  });

  it('dates before 1970 and impossible dates', () => {
    expect(parseDate('1969-07-20')).toBe(-165);
    expect(formatDate(-165)).toBe('1969-07-20');
    expect(formatDate(parseDate('1901-12-13')!)).toBe('1901-12-13');
    expect(parseDate('2023-02-30')).toBeNull();
    expect(parseDate('2024-02-29')).not.toBeNull();
  });

  it('timestamps keep their unit; an offset makes an instant', () => {
    const spring = parseTimestamp('2026-03-29T02:30:00.123456+02:00', 'us')!;
    expect(spring.hasOffset).toBe(true);
    expect(formatTimestamp(spring.value, 'us', 'UTC')).toBe('2026-03-29T00:30:00.123456Z');
    const wall = parseTimestamp('1950-06-01 23:59:59.000000001', 'ns')!;
    expect(wall.hasOffset).toBe(false);
    expect(formatTimestamp(wall.value, 'ns', null)).toBe('1950-06-01T23:59:59.000000001');
    expect(parseTimestamp('2026-03-29 25:00:00', 'us')).toBeNull();
  });

  it('times', () => {
    expect(formatTime(parseTime('13:45:00.5', 'us')!, 'us')).toBe('13:45:00.5');
    expect(parseTime('24:00', 'us')).toBeNull();
  });

  it('the JSON form: int64 and decimal as strings, NULL as null, empty string kept', () => {
    expect(toJsonValue(9007199254740993n, { kind: 'int64' })).toBe('9007199254740993');
    expect(toJsonValue(-9223372036854775808n, { kind: 'int64' })).toBe('-9223372036854775808');
    expect(toJsonValue(1230n, { kind: 'decimal', precision: 10, scale: 2 })).toBe('12.30');
    expect(toJsonValue(null, { kind: 'string' })).toBeNull();
    expect(toJsonValue('', { kind: 'string' })).toBe('');
    expect(typeName({ kind: 'timestamp', unit: 'us', tz: 'UTC' })).toBe('timestamp[us, UTC]');
  });
});
