import type { LogicalType, TimeUnit, Value } from '../../table/types';
import { formatDate, formatDecimal, formatTime, formatTimestamp, parseDate, parseDecimal, parseTime, parseTimestamp, toJsonValue } from '../../table/values';

/**
 * SQLite types ↔ the table layer's logical types. SQLite keeps any value in any column; a column's
 * declared type only suggests (its "affinity"). Ferry reads a column as the logical type its declared
 * type names, and a value that does not fit it is reported (ValueMismatch), never changed. What Ferry
 * creates is declared so that SQLite's affinity keeps every value exactly:
 *
 *   int32, int64     INTEGER / BIGINT (64-bit integers; read back as int64)
 *   decimal(p,s)     DECIMAL_TEXT(p,s): TEXT affinity, the exact digits. A plain DECIMAL(p,s) column has
 *                    NUMERIC affinity, which turns "12345678901234567890.5" into a double; Ferry reads
 *                    such columns as decimal too, and refuses to load a value it would round
 *   float64          REAL (NaN is refused: SQLite stores it as NULL)
 *   boolean          BOOLEAN, stored 0/1
 *   date             DATE, ISO text "1969-07-20"
 *   time             TIME, "13:45:00.5"
 *   timestamp        TIMESTAMP (wall clock, "2026-03-29T01:30:00.5") / TIMESTAMPTZ (UTC, "…Z");
 *                    TIMESTAMP(3)/(9) for ms/ns
 *   json, list, struct  JSON_TEXT: TEXT affinity, the JSON text as it was (JSON has NUMERIC affinity,
 *                    which turns "1.10" into 1.1); list and struct come back as json
 *   binary           BLOB
 */
export function logicalFromSqlite(declared: string | null): LogicalType | null {
  if (!declared) return null;
  const d = declared.toUpperCase();
  const args = /\(\s*(\d+)\s*(?:,\s*(\d+)\s*)?\)/.exec(d);
  if (/JSON/.test(d)) return { kind: 'json' };
  if (/^(DECIMAL|NUMERIC)/.test(d)) {
    if (!args) return { kind: 'string' };
    const precision = Number(args[1]);
    const scale = Number(args[2] ?? 0);
    return precision >= 1 && precision <= 38 && scale <= precision ? { kind: 'decimal', precision, scale } : { kind: 'string' };
  }
  if (/^BOOL/.test(d)) return { kind: 'boolean' };
  if (/INT/.test(d)) return { kind: 'int64' };
  if (/REAL|FLOA|DOUB/.test(d)) return { kind: 'float64' };
  if (/BLOB|BINARY|BYTEA/.test(d)) return { kind: 'binary' };
  if (/^TIMESTAMPTZ|^TIMESTAMP WITH TIME ZONE|^DATETIMETZ/.test(d)) return { kind: 'timestamp', unit: unitOf(args), tz: 'UTC' };
  if (/^(TIMESTAMP|DATETIME)/.test(d)) return { kind: 'timestamp', unit: unitOf(args), tz: null };
  if (/^DATE/.test(d)) return { kind: 'date' };
  if (/^TIME/.test(d)) return { kind: 'time', unit: unitOf(args) };
  return { kind: 'string' };
}

function unitOf(args: RegExpExecArray | null): TimeUnit {
  const p = args ? Number(args[1]) : 6;
  return p <= 3 ? 'ms' : p <= 6 ? 'us' : 'ns';
}

/** The declared type of a new column (see the table above). */
export function sqliteTypeFor(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'decimal':
      return `DECIMAL_TEXT(${t.precision},${t.scale})`;
    case 'float64':
      return 'REAL';
    case 'string':
      return 'TEXT';
    case 'binary':
      return 'BLOB';
    case 'date':
      return 'DATE';
    case 'time':
      return t.unit === 'us' ? 'TIME' : `TIME(${t.unit === 'ms' ? 3 : 9})`;
    case 'timestamp': {
      const base = t.tz ? 'TIMESTAMPTZ' : 'TIMESTAMP';
      return t.unit === 'us' ? base : `${base}(${t.unit === 'ms' ? 3 : 9})`;
    }
    case 'json':
    case 'list':
    case 'struct':
      return 'JSON_TEXT';
  }
}

/** Whether SQLite gives this declared type NUMERIC affinity (its rules, section 3.1 of "Datatypes In SQLite"). */
export function hasNumericAffinity(declared: string): boolean {
  const d = declared.toUpperCase();
  return !/INT|CHAR|CLOB|TEXT|BLOB|REAL|FLOA|DOUB/.test(d) && d.trim() !== '';
}

/** A stored value that does not fit its column's declared type. */
export class ValueMismatch extends Error {}

/** What better-sqlite3 hands back with safeIntegers: bigint, number, string, Buffer or null. */
type Stored = bigint | number | string | Buffer | null;

function kindOf(v: Stored): string {
  return typeof v === 'bigint' ? 'an integer' : typeof v === 'number' ? 'a real' : typeof v === 'string' ? 'a text' : 'a blob';
}

function mismatch(v: Stored, what: string): never {
  const shown = Buffer.isBuffer(v) ? `${v.length} bytes` : JSON.stringify(String(v).length > 60 ? `${String(v).slice(0, 60)}…` : String(v));
  throw new ValueMismatch(`${kindOf(v)} ${shown} is not ${what}`);
}

/** A number's digits without exponent ("1e-7" → "0.0000001"), so a REAL in a decimal column is parsed exactly as shown. */
function plainNumber(n: number): string {
  const s = String(n);
  if (!/e/i.test(s)) return s;
  const [m, e] = s.toLowerCase().split('e');
  const exp = Number(e);
  const neg = m.startsWith('-');
  const [int, frac = ''] = (neg ? m.slice(1) : m).split('.');
  const digits = int + frac;
  const point = int.length + exp;
  const out = point <= 0 ? `0.${'0'.repeat(-point)}${digits}` : point >= digits.length ? digits + '0'.repeat(point - digits.length) : `${digits.slice(0, point)}.${digits.slice(point)}`;
  return neg ? `-${out}` : out;
}

/** Reads one stored value as the logical type; ValueMismatch when it is not one. */
export function fromStored(t: LogicalType): (v: Stored) => Value {
  switch (t.kind) {
    case 'int32':
    case 'int64':
      return (v) => (v === null ? null : typeof v === 'bigint' ? v : mismatch(v, 'an integer'));
    case 'float64':
      return (v) => {
        if (v === null || typeof v === 'number') return v;
        if (typeof v === 'bigint' && BigInt(Number(v)) === v) return Number(v);
        return mismatch(v, 'a real');
      };
    case 'decimal':
      return (v) => {
        if (v === null) return null;
        const text = typeof v === 'bigint' ? v.toString() : typeof v === 'number' ? (Number.isFinite(v) ? plainNumber(v) : '') : typeof v === 'string' ? v : '';
        return parseDecimal(text, t.precision, t.scale) ?? mismatch(v, `a decimal(${t.precision},${t.scale})`);
      };
    case 'boolean':
      return (v) => (v === null ? null : v === 0n || v === 1n ? v === 1n : mismatch(v, 'a boolean (0 or 1)'));
    case 'string':
      // Numbers read as their text (a column with no text affinity may hold both); a blob is not text.
      return (v) => (v === null || typeof v === 'string' ? v : Buffer.isBuffer(v) ? mismatch(v, 'a text') : typeof v === 'number' ? String(v) : v.toString());
    case 'json':
      // A JSON column without TEXT affinity stores a bare number as a number: its text is the same JSON.
      return (v) => (v === null || typeof v === 'string' ? v : Buffer.isBuffer(v) ? mismatch(v, 'JSON text') : String(v));
    case 'binary':
      return (v) => (v === null ? null : Buffer.isBuffer(v) ? new Uint8Array(v.buffer, v.byteOffset, v.length) : mismatch(v, 'a blob'));
    case 'date':
      return (v) => (v === null ? null : (typeof v === 'string' ? parseDate(v) : null) ?? mismatch(v, 'a date (YYYY-MM-DD)'));
    case 'time':
      return (v) => (v === null ? null : (typeof v === 'string' ? parseTime(v, t.unit) : null) ?? mismatch(v, 'a time (HH:MM:SS)'));
    case 'timestamp':
      return (v) => {
        if (v === null) return null;
        const p = typeof v === 'string' ? parseTimestamp(v, t.unit) : null;
        // In a zone-less column an offset would be dropped; in a UTC column a text without one is taken as UTC (SQLite's own convention).
        if (!p || (p.hasOffset && !t.tz)) return mismatch(v, t.tz ? 'a timestamp' : 'a timestamp without time zone');
        return p.value;
      };
    case 'list':
    case 'struct':
      return (v) => mismatch(v, 'a nested value');
  }
}

/** A value as what SQLite stores for a column of that logical type (see the mapping above). */
export function toStored(t: LogicalType): (v: Value) => Stored {
  switch (t.kind) {
    case 'boolean':
      return (v) => (v === null ? null : v ? 1n : 0n);
    case 'int32':
    case 'float64':
      return (v) => v as number | null;
    case 'int64':
      return (v) => v as bigint | null;
    case 'decimal':
      return (v) => (v === null ? null : formatDecimal(v as bigint, t.scale));
    case 'string':
    case 'json':
      return (v) => v as string | null;
    case 'binary':
      return (v) => (v === null ? null : Buffer.from((v as Uint8Array).buffer, (v as Uint8Array).byteOffset, (v as Uint8Array).length));
    case 'date':
      return (v) => (v === null ? null : formatDate(v as number));
    case 'time':
      return (v) => (v === null ? null : formatTime(v as bigint, t.unit));
    case 'timestamp':
      return (v) => (v === null ? null : formatTimestamp(v as bigint, t.unit, t.tz));
    case 'list':
    case 'struct':
      return (v) => (v === null ? null : JSON.stringify(toJsonValue(v, t)));
  }
}
