import {
  DuckDBAppender,
  DuckDBBlobValue,
  DuckDBDateValue,
  DuckDBDecimalValue,
  DuckDBTimestampMillisecondsValue,
  DuckDBTimestampNanosecondsValue,
  DuckDBTimestampSecondsValue,
  DuckDBTimestampValue,
  DuckDBTimeValue,
  DuckDBTypeId,
  type DuckDBType,
  type DuckDBValue,
} from '@duckdb/node-api';
import { FerryError } from '../../errors';
import type { LogicalType, Value } from '../../table/types';
import { formatDecimal } from '../../table/values';

/**
 * DuckDB types ↔ the table layer's logical types, exactly:
 *
 *   BOOLEAN                                   boolean
 *   TINYINT, SMALLINT, INTEGER, UTINYINT, USMALLINT   int32
 *   BIGINT, UINTEGER                          int64
 *   UBIGINT                                   decimal(20,0)
 *   HUGEINT, UHUGEINT                         decimal(38,0) (a value beyond 38 digits is refused, named)
 *   DECIMAL(p,s)                              decimal(p,s)
 *   FLOAT, DOUBLE                             float64
 *   VARCHAR                                   string; with the JSON alias json
 *   BLOB                                      binary
 *   DATE                                      date
 *   TIME                                      time(us)
 *   TIMESTAMP / _MS / _NS / _S                timestamp us / ms / ns / us, no zone
 *   TIMESTAMP WITH TIME ZONE                  timestamp(us, UTC): DuckDB stores the instant; no session zone applies
 *   LIST, ARRAY, STRUCT, MAP, UNION           json (DuckDB's to_json text)
 *   UUID, INTERVAL, ENUM, TIME WITH TIME ZONE, BIT, others   string (DuckDB's text)
 *
 * The last two groups are turned into text by the query itself (see readExpression), so only the first
 * group's values reach fromDuck.
 */
export function logicalFromDuck(t: DuckDBType): LogicalType {
  if (t.alias === 'JSON') return { kind: 'json' };
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return { kind: 'boolean' };
    case DuckDBTypeId.TINYINT:
    case DuckDBTypeId.SMALLINT:
    case DuckDBTypeId.INTEGER:
    case DuckDBTypeId.UTINYINT:
    case DuckDBTypeId.USMALLINT:
      return { kind: 'int32' };
    case DuckDBTypeId.BIGINT:
    case DuckDBTypeId.UINTEGER:
      return { kind: 'int64' };
    case DuckDBTypeId.UBIGINT:
      return { kind: 'decimal', precision: 20, scale: 0 };
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return { kind: 'decimal', precision: 38, scale: 0 };
    case DuckDBTypeId.DECIMAL:
      return { kind: 'decimal', precision: t.width, scale: t.scale };
    case DuckDBTypeId.FLOAT:
    case DuckDBTypeId.DOUBLE:
      return { kind: 'float64' };
    case DuckDBTypeId.VARCHAR:
      return { kind: 'string' };
    case DuckDBTypeId.BLOB:
      return { kind: 'binary' };
    case DuckDBTypeId.DATE:
      return { kind: 'date' };
    case DuckDBTypeId.TIME:
      return { kind: 'time', unit: 'us' };
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_S:
      return { kind: 'timestamp', unit: 'us', tz: null };
    case DuckDBTypeId.TIMESTAMP_MS:
      return { kind: 'timestamp', unit: 'ms', tz: null };
    case DuckDBTypeId.TIMESTAMP_NS:
      return { kind: 'timestamp', unit: 'ns', tz: null };
    case DuckDBTypeId.TIMESTAMP_TZ:
      return { kind: 'timestamp', unit: 'us', tz: 'UTC' };
    case DuckDBTypeId.LIST:
    case DuckDBTypeId.ARRAY:
    case DuckDBTypeId.STRUCT:
    case DuckDBTypeId.MAP:
    case DuckDBTypeId.UNION:
      return { kind: 'json' };
    default:
      return { kind: 'string' };
  }
}

const NESTED = new Set([DuckDBTypeId.LIST, DuckDBTypeId.ARRAY, DuckDBTypeId.STRUCT, DuckDBTypeId.MAP, DuckDBTypeId.UNION]);

/** The SELECT expression that gives a column's values in a form fromDuck reads (text for what has no logical type). */
export function readExpression(column: string, t: DuckDBType): string {
  if (NESTED.has(t.typeId)) return `CAST(to_json(${column}) AS VARCHAR)`;
  const l = logicalFromDuck(t);
  return l.kind === 'string' && t.typeId !== DuckDBTypeId.VARCHAR ? `CAST(${column} AS VARCHAR)` : column;
}

const DEC38 = 10n ** 38n;

/** A DuckDB value (from a chunk) as the logical value of its column. */
export function fromDuck(t: DuckDBType): (v: DuckDBValue) => Value {
  switch (t.typeId) {
    case DuckDBTypeId.UINTEGER:
      return (v) => (v === null ? null : BigInt(v as number));
    case DuckDBTypeId.UBIGINT:
    case DuckDBTypeId.HUGEINT:
    case DuckDBTypeId.UHUGEINT:
      return (v) => {
        if (v === null) return null;
        const n = v as bigint;
        if ((n < 0n ? -n : n) >= DEC38) throw new FerryError('INVALID_INPUT', `The value ${n} has more than 38 digits, more than a file's decimal type holds`);
        return n;
      };
    case DuckDBTypeId.DECIMAL:
      return (v) => (v === null ? null : (v as DuckDBDecimalValue).value);
    case DuckDBTypeId.BLOB:
      return (v) => (v === null ? null : (v as DuckDBBlobValue).bytes);
    case DuckDBTypeId.DATE:
      return (v) => (v === null ? null : (v as DuckDBDateValue).days);
    case DuckDBTypeId.TIME:
      return (v) => (v === null ? null : (v as DuckDBTimeValue).micros);
    case DuckDBTypeId.TIMESTAMP:
    case DuckDBTypeId.TIMESTAMP_TZ:
      return (v) => (v === null ? null : (v as DuckDBTimestampValue).micros);
    case DuckDBTypeId.TIMESTAMP_S:
      return (v) => (v === null ? null : (v as DuckDBTimestampSecondsValue).seconds * 1_000_000n);
    case DuckDBTypeId.TIMESTAMP_MS:
      return (v) => (v === null ? null : (v as DuckDBTimestampMillisecondsValue).millis);
    case DuckDBTypeId.TIMESTAMP_NS:
      return (v) => (v === null ? null : (v as DuckDBTimestampNanosecondsValue).nanos);
    default:
      // boolean, integers as number, BIGINT as bigint, FLOAT/DOUBLE, VARCHAR (and the text of the rest).
      return (v) => v as Value;
  }
}

/** A new table's column type for a logical type. */
export function duckTypeFor(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'BOOLEAN';
    case 'int32':
      return 'INTEGER';
    case 'int64':
      return 'BIGINT';
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'float64':
      return 'DOUBLE';
    case 'string':
      return 'VARCHAR';
    case 'binary':
      return 'BLOB';
    case 'date':
      return 'DATE';
    case 'time':
      return 'TIME';
    case 'timestamp':
      if (t.tz) return 'TIMESTAMPTZ';
      return t.unit === 'ns' ? 'TIMESTAMP_NS' : t.unit === 'ms' ? 'TIMESTAMP_MS' : 'TIMESTAMP';
    case 'json':
    case 'list':
    case 'struct':
      return 'JSON';
  }
}

/**
 * The appender call for one target column (its DuckDB type), given a value already in that column's
 * logical type. Types Ferry reads as text (UUID, INTERVAL, ENUM, nested) are appended as text, which
 * DuckDB casts (and refuses, naming the value, when it is not one).
 */
export function appendFor(t: DuckDBType): (a: DuckDBAppender, v: Value) => void {
  const l = logicalFromDuck(t);
  const nullable = (f: (a: DuckDBAppender, v: Value) => void) => (a: DuckDBAppender, v: Value) => (v === null ? a.appendNull() : f(a, v));
  switch (t.typeId) {
    case DuckDBTypeId.BOOLEAN:
      return nullable((a, v) => a.appendBoolean(v as boolean));
    case DuckDBTypeId.BIGINT:
      return nullable((a, v) => a.appendBigInt(v as bigint));
    case DuckDBTypeId.UINTEGER:
      return nullable((a, v) => a.appendUInteger(Number(v)));
    case DuckDBTypeId.UBIGINT:
      return nullable((a, v) => a.appendUBigInt(v as bigint));
    case DuckDBTypeId.HUGEINT:
      return nullable((a, v) => a.appendHugeInt(v as bigint));
    case DuckDBTypeId.UHUGEINT:
      return nullable((a, v) => a.appendUHugeInt(v as bigint));
    case DuckDBTypeId.DECIMAL:
      // As exact text, which DuckDB parses: appendDecimal builds a value object per call and is 6× slower.
      return nullable((a, v) => a.appendVarchar(formatDecimal(v as bigint, t.scale)));
    case DuckDBTypeId.DOUBLE:
      return nullable((a, v) => a.appendDouble(v as number));
    case DuckDBTypeId.FLOAT:
      return nullable((a, v) => a.appendFloat(v as number));
    case DuckDBTypeId.BLOB:
      return nullable((a, v) => a.appendBlob(v as Uint8Array));
    case DuckDBTypeId.DATE:
      return nullable((a, v) => a.appendDate(new DuckDBDateValue(v as number)));
    case DuckDBTypeId.TIME:
      return nullable((a, v) => a.appendTime(new DuckDBTimeValue(v as bigint)));
    case DuckDBTypeId.TIMESTAMP:
      return nullable((a, v) => a.appendTimestamp(new DuckDBTimestampValue(v as bigint)));
    case DuckDBTypeId.TIMESTAMP_TZ:
      // The same microseconds as a plain timestamp (appendTimestampTZ is 6× slower); the connection's
      // TimeZone is UTC (connector.ts), so the appender's cast keeps the instant.
      return nullable((a, v) => a.appendTimestamp(new DuckDBTimestampValue(v as bigint)));
    case DuckDBTypeId.TIMESTAMP_MS:
      return nullable((a, v) => a.appendTimestampMilliseconds(new DuckDBTimestampMillisecondsValue(v as bigint)));
    case DuckDBTypeId.TIMESTAMP_NS:
      return nullable((a, v) => a.appendTimestampNanoseconds(new DuckDBTimestampNanosecondsValue(v as bigint)));
    case DuckDBTypeId.TIMESTAMP_S:
      return nullable((a, v) => a.appendTimestampSeconds(new DuckDBTimestampSecondsValue((v as bigint) / 1_000_000n)));
    default:
      if (l.kind === 'int32') return nullable((a, v) => a.appendInteger(v as number));
      if (l.kind === 'decimal') return nullable((a, v) => a.appendVarchar(formatDecimal(v as bigint, l.scale)));
      return nullable((a, v) => a.appendVarchar(String(v)));
  }
}
