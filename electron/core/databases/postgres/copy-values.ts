import type { LogicalType, Value } from '../../table/types';
import { civilDays } from '../iso-cells';

/**
 * PostgreSQL's text of typed values under the session settings of connector.ts (DateStyle ISO, TimeZone
 * UTC), recognised and read straight from the COPY bytes: no string per field, no regex. Each reader takes
 * only the canonical shape PostgreSQL writes and returns undefined for anything else (escapes, BC dates,
 * 5-digit years, 16+ digit numbers), which then takes the general string path (copy-text.ts's converter).
 * test/databases/copy-values.test.ts checks both paths agree.
 */

const isDigit = (b: number) => b >= 48 && b <= 57;
export const isSpace = (b: number) => b === 32 || (b >= 9 && b <= 13);

/** -?[1-9][0-9]* or 0: PostgreSQL's integer text, which is also Ferry's. */
export function isInteger(s: Buffer, f: number, e: number): boolean {
  if (s[f] === 45 && s[++f] === 48) return false;
  if (f >= e || (s[f] === 48 && e - f > 1)) return false;
  for (let i = f; i < e; i++) if (!isDigit(s[i])) return false;
  return true;
}

/** numeric(p,s) text with exactly `scale` decimals and at most p-s integer digits, not negative zero-led ("-0.5" is left to the general path). */
export function isDecimal(s: Buffer, f: number, e: number, intDigits: number, scale: number): boolean {
  if (s[f] === 45) {
    f++;
    if (s[f] === 48) return false;
  }
  const dot = scale > 0 ? e - scale - 1 : e;
  if (dot <= f || dot - f > intDigits || (s[f] === 48 && dot - f > 1)) return false;
  if (scale > 0 && s[dot] !== 46) return false;
  for (let i = f; i < e; i++) if (i !== dot && !isDigit(s[i])) return false;
  return true;
}

/** YYYY-MM-DD with a four-digit year (PostgreSQL checked the calendar; BC and year 10000+ take the general path). */
export function isIsoDay(s: Buffer, f: number): boolean {
  return (
    isDigit(s[f]) && isDigit(s[f + 1]) && isDigit(s[f + 2]) && isDigit(s[f + 3]) && s[f + 4] === 45 &&
    isDigit(s[f + 5]) && isDigit(s[f + 6]) && s[f + 7] === 45 && isDigit(s[f + 8]) && isDigit(s[f + 9])
  );
}

const CLOCK_DIGITS = [11, 12, 14, 15, 17, 18];

/** "YYYY-MM-DD HH:MM:SS" then nothing or "." and 1-6 digits not ending in 0 (PostgreSQL drops trailing zeros, as Ferry does). */
export function isIsoTime(s: Buffer, f: number, e: number): boolean {
  const len = e - f;
  if (len < 19 || (len > 19 && (len < 21 || len > 26 || s[f + 19] !== 46 || s[e - 1] === 48))) return false;
  if (!isIsoDay(s, f) || s[f + 10] !== 32 || s[f + 13] !== 58 || s[f + 16] !== 58) return false;
  for (const i of CLOCK_DIGITS) if (!isDigit(s[f + i])) return false;
  for (let i = f + 20; i < e; i++) if (!isDigit(s[i])) return false;
  return true;
}

/** Up to 15 digits (exact in a double) in s[f, e), else NaN. */
function smallInt(s: Buffer, f: number, e: number): number {
  if (e - f > 15 || e <= f) return NaN;
  let n = 0;
  for (let i = f; i < e; i++) n = n * 10 + (s[i] - 48);
  return n;
}

const day = (s: Buffer, f: number) => civilDays(smallInt(s, f, f + 4), smallInt(s, f + 5, f + 7), smallInt(s, f + 8, f + 10));

/** s[f, e) as "YYYY-MM-DD HH:MM:SS[.ffffff]" → microseconds since the epoch, when exact in a double. */
function micros(s: Buffer, f: number, e: number): bigint | undefined {
  const secs = day(s, f) * 86400 + smallInt(s, f + 11, f + 13) * 3600 + smallInt(s, f + 14, f + 16) * 60 + smallInt(s, f + 17, f + 19);
  const frac = e > f + 19 ? smallInt(s, f + 20, e) * 10 ** (26 - e + f) : 0;
  const us = secs * 1_000_000 + frac;
  return Number.isSafeInteger(us) ? BigInt(us) : undefined;
}

export type ByteReader = (s: Buffer, f: number, e: number) => Value | undefined;

export function byteReader(t: LogicalType): ByteReader | null {
  switch (t.kind) {
    case 'boolean':
      return (s, f, e) => (e - f !== 1 ? undefined : s[f] === 116 ? true : s[f] === 102 ? false : undefined);
    case 'int32':
    case 'int64': {
      const big = t.kind === 'int64';
      return (s, f, e) => {
        if (!isInteger(s, f, e)) return undefined;
        const neg = s[f] === 45;
        const n = smallInt(s, neg ? f + 1 : f, e);
        if (Number.isNaN(n)) return undefined;
        const v = neg ? -n : n;
        return big ? BigInt(v) : v;
      };
    }
    case 'decimal': {
      const { precision, scale } = t;
      return (s, f, e) => {
        if (!isDecimal(s, f, e, precision - scale, scale)) return undefined;
        const neg = s[f] === 45;
        const start = neg ? f + 1 : f;
        const dot = scale > 0 ? e - scale - 1 : e;
        const whole = smallInt(s, start, dot);
        const frac = scale > 0 ? smallInt(s, dot + 1, e) : 0;
        const n = whole * 10 ** scale + frac;
        if (Number.isNaN(n) || !Number.isSafeInteger(n)) return undefined;
        return BigInt(neg ? -n : n);
      };
    }
    case 'date':
      return (s, f, e) => (e - f === 10 && isIsoDay(s, f) ? day(s, f) : undefined);
    case 'timestamp': {
      if (t.unit !== 'us') return null;
      // timestamptz comes with the session's offset, +00; a timestamp without one.
      if (t.tz) return (s, f, e) => (s[e - 3] === 43 && s[e - 2] === 48 && s[e - 1] === 48 && isIsoTime(s, f, e - 3) ? micros(s, f, e - 3) : undefined);
      return (s, f, e) => (isIsoTime(s, f, e) ? micros(s, f, e) : undefined);
    }
    default:
      return null;
  }
}
