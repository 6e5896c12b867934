import type { LogicalType } from '../../table/types';

/**
 * PostgreSQL types ↔ the table layer's logical types. Reading maps by type OID (and typmod for numeric);
 * every value arrives as PostgreSQL's own text (COPY ... TO STDOUT), so nothing passes through a lossy JS
 * number or Date on the way. Types with no logical counterpart (uuid, interval, arrays, ranges, inet...)
 * are read as their exact text.
 */
const BY_OID: Record<number, LogicalType> = {
  16: { kind: 'boolean' },
  17: { kind: 'binary' },
  20: { kind: 'int64' },
  21: { kind: 'int32' },
  23: { kind: 'int32' },
  26: { kind: 'int64' },
  114: { kind: 'json' },
  3802: { kind: 'json' },
  700: { kind: 'float64' },
  701: { kind: 'float64' },
  1082: { kind: 'date' },
  1083: { kind: 'time', unit: 'us' },
  1114: { kind: 'timestamp', unit: 'us', tz: null },
  1184: { kind: 'timestamp', unit: 'us', tz: 'UTC' },
};
const NUMERIC = 1700;

/**
 * numeric(p,s) → decimal(p,s). An unconstrained numeric has no fixed scale (each value keeps its own), so it
 * is read as its exact text rather than rounded into a scale Ferry would have to guess.
 */
export function logicalFromPg(oid: number, typmod: number): LogicalType {
  if (oid === NUMERIC) {
    if (typmod < 4) return { kind: 'string' };
    const precision = ((typmod - 4) >> 16) & 0xffff;
    const scale = (typmod - 4) & 0xffff;
    return precision <= 38 ? { kind: 'decimal', precision, scale } : { kind: 'string' };
  }
  return BY_OID[oid] ?? { kind: 'string' };
}

/**
 * A new table's column type for a logical type. json stays json (not jsonb: jsonb would reorder keys and
 * drop duplicate ones, so the text read back would differ). Timestamps are microseconds in PostgreSQL:
 * nanosecond values are rounded by the server.
 */
export function pgTypeFor(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'boolean';
    case 'int32':
      return 'integer';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return `numeric(${t.precision},${t.scale})`;
    case 'float64':
      return 'double precision';
    case 'string':
      return 'text';
    case 'binary':
      return 'bytea';
    case 'date':
      return 'date';
    case 'time':
      return 'time';
    case 'timestamp':
      return t.tz ? 'timestamptz' : 'timestamp';
    case 'json':
    case 'list':
    case 'struct':
      return 'json';
  }
}
