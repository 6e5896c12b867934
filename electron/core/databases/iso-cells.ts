import type { TimeUnit } from '../table/types';
import { parseDate } from '../table/values';

/**
 * Fast readers for the date and timestamp texts a load meets millions of times, without a regex or a Date
 * per value. Each accepts only a plain ISO shape, where it gives exactly what the table layer's
 * parseDate / parseTimestamp give (test/databases/iso-cells.test.ts compares them); anything else returns
 * undefined (null for a date) and the caller uses the general parser, which also words the error.
 */

/**
 * Dates repeat across rows (a day column, a timestamp's day): each distinct day's text is parsed once.
 * Bounded, so a column of all-different dates costs one parse each and no unbounded memory.
 */
export function dayCache(): (text: string) => number | null {
  const cache = new Map<string, number | null>();
  return (text) => {
    let d = cache.get(text);
    if (d === undefined) {
      d = parseDate(text);
      if (cache.size > 100_000) cache.clear();
      cache.set(text, d);
    }
    return d;
  };
}

/** Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil); the date must exist. */
export function civilDays(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yoe = y - era * 400;
  const doy = Math.floor((153 * (month > 2 ? month - 3 : month + 9) + 2) / 5) + day - 1;
  return era * 146097 + yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy - 719468;
}

const MONTH_DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** "YYYY-MM-DD" at s[at] (a four-digit year) as days since the epoch; null when not a real calendar date; parseDate's answer. */
export function isoDay(s: string, at = 0): number | null {
  if (s.charCodeAt(at + 4) !== 45 || s.charCodeAt(at + 7) !== 45) return null;
  const y = digits(s, at, at + 4);
  const m = digits(s, at + 5, at + 7);
  const d = digits(s, at + 8, at + 10);
  if (y < 0 || m < 1 || m > 12 || d < 1) return null;
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  if (d > (m === 2 && leap ? 29 : MONTH_DAYS[m - 1])) return null;
  return civilDays(y, m, d);
}

const PER_SECOND: Record<TimeUnit, bigint> = { ms: 1000n, us: 1_000_000n, ns: 1_000_000_000n };
const DIGITS: Record<TimeUnit, number> = { ms: 3, us: 6, ns: 9 };

/** The number in text[a, b) when it is all ASCII digits, else -1. */
function digits(s: string, a: number, b: number): number {
  let n = 0;
  for (let i = a; i < b; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return -1;
    n = n * 10 + c;
  }
  return n;
}

/**
 * "YYYY-MM-DD[ T]HH:MM:SS[.fraction][Z | ±HH | ±HH:MM | ±HHMM]" with at most the unit's fraction digits, as
 * units since the epoch and whether it had an offset; undefined for any other text (or a day that does not exist).
 */
export function isoTimestamp(s: string, unit: TimeUnit): { value: bigint; hasOffset: boolean } | undefined {
  const len = s.length;
  if (len < 19 || s.charCodeAt(4) !== 45 || s.charCodeAt(13) !== 58 || s.charCodeAt(16) !== 58) return undefined;
  const sep = s.charCodeAt(10);
  if (sep !== 32 && sep !== 84 && sep !== 116) return undefined;
  const h = digits(s, 11, 13);
  const mi = digits(s, 14, 16);
  const sec = digits(s, 17, 19);
  if (h < 0 || mi < 0 || sec < 0 || h > 23 || mi > 59 || sec > 59) return undefined;
  let i = 19;
  let frac = 0;
  if (i < len && s.charCodeAt(i) === 46) {
    const start = ++i;
    while (i < len && s.charCodeAt(i) >= 48 && s.charCodeAt(i) <= 57) i++;
    const n = i - start;
    if (n === 0 || n > DIGITS[unit]) return undefined;
    frac = digits(s, start, i) * 10 ** (DIGITS[unit] - n);
  }
  let offset = 0;
  let hasOffset = false;
  if (i < len) {
    const c = s.charCodeAt(i);
    hasOffset = true;
    if (c === 90 || c === 122) {
      if (i + 1 !== len) return undefined;
    } else if (c === 43 || c === 45) {
      const rest = len - i - 1;
      const oh = digits(s, i + 1, i + 3);
      const om = rest === 2 ? 0 : rest === 5 && s.charCodeAt(i + 3) === 58 ? digits(s, i + 4, i + 6) : rest === 4 ? digits(s, i + 3, i + 5) : -1;
      if (oh < 0 || om < 0) return undefined;
      offset = (c === 45 ? -1 : 1) * (oh * 60 + om) * 60;
    } else return undefined;
  }
  const day = isoDay(s);
  if (day === null) return undefined;
  return { value: BigInt(day * 86400 + h * 3600 + mi * 60 + sec - offset) * PER_SECOND[unit] + BigInt(frac), hasOffset };
}
