import { FerryError } from '../../errors';
import type { LogicalType } from '../../table/types';
import type { TableName } from '../sql';

/**
 * MySQL/MariaDB column types ↔ the table layer's logical types. Reading maps a result column's metadata
 * (its protocol type, length, decimals, flags and character set) the same way for a table and a query;
 * every value arrives as the server's text (or bytes), so nothing passes through a lossy JS number or Date.
 */

/** Protocol column types (include/mysql_com.h enum_field_types) and flags this module looks at. */
const T = {
  DECIMAL: 0, TINY: 1, SHORT: 2, LONG: 3, FLOAT: 4, DOUBLE: 5, TIMESTAMP: 7, LONGLONG: 8, INT24: 9, DATE: 10, TIME: 11,
  DATETIME: 12, YEAR: 13, NEWDATE: 14, BIT: 16, JSON: 245, NEWDECIMAL: 246, TINY_BLOB: 249, MEDIUM_BLOB: 250, LONG_BLOB: 251,
  BLOB: 252, VAR_STRING: 253, STRING: 254, GEOMETRY: 255, VARCHAR: 15,
} as const;
const UNSIGNED = 32;
const ENUM_OR_SET = 256 | 2048;
const BINARY_CHARSET = 63;

/** What mysql2 reports for a result column (its ColumnDefinition). */
export interface FieldMeta {
  name: string;
  columnType: number;
  columnLength: number;
  decimals: number;
  flags: number;
  characterSet: number;
  /** MariaDB's extended metadata: 'json' for a JSON column (stored as LONGTEXT). */
  extendedFormat?: string;
}

/** How a column's values arrive from mysql2 (with supportBigNumbers, bigNumberStrings, dateStrings, jsonStrings). */
export type Wire = 'number' | 'text' | 'bytes';

export interface ReadType {
  type: LogicalType;
  wire: Wire;
}

export function logicalFromField(f: FieldMeta): ReadType {
  const unsigned = (f.flags & UNSIGNED) !== 0;
  const bytes = (f.characterSet === BINARY_CHARSET && (f.flags & ENUM_OR_SET) === 0) as boolean;
  if (f.extendedFormat === 'json') return { type: { kind: 'json' }, wire: bytes ? 'bytes' : 'text' };
  switch (f.columnType) {
    case T.TINY:
      // TINYINT(1) is MySQL's BOOLEAN (as Connector/J's tinyInt1isBit reads it).
      return { type: f.columnLength === 1 ? { kind: 'boolean' } : { kind: 'int32' }, wire: 'number' };
    case T.SHORT:
    case T.INT24:
    case T.YEAR:
      return { type: { kind: 'int32' }, wire: 'number' };
    case T.LONG:
      return { type: unsigned ? { kind: 'int64' } : { kind: 'int32' }, wire: 'number' };
    case T.LONGLONG:
      // BIGINT UNSIGNED reaches 18446744073709551615, past int64: an exact decimal(20,0).
      return { type: unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'int64' }, wire: 'text' };
    case T.FLOAT:
    case T.DOUBLE:
      return { type: { kind: 'float64' }, wire: 'number' };
    case T.DECIMAL:
    case T.NEWDECIMAL: {
      // The length counts the digits, the point (when scale > 0) and the sign (when signed).
      const scale = f.decimals;
      const precision = f.columnLength - (scale > 0 ? 1 : 0) - (unsigned ? 0 : 1);
      return { type: precision >= 1 && precision <= 38 && scale <= precision ? { kind: 'decimal', precision, scale } : { kind: 'string' }, wire: 'text' };
    }
    case T.DATE:
    case T.NEWDATE:
      return { type: { kind: 'date' }, wire: 'text' };
    case T.TIME:
      return { type: { kind: 'time', unit: 'us' }, wire: 'text' };
    case T.DATETIME:
      return { type: { kind: 'timestamp', unit: 'us', tz: null }, wire: 'text' };
    case T.TIMESTAMP:
      // Read with the session's time_zone at +00:00: the instant in UTC.
      return { type: { kind: 'timestamp', unit: 'us', tz: 'UTC' }, wire: 'text' };
    case T.BIT:
      return { type: f.columnLength === 1 ? { kind: 'boolean' } : f.columnLength < 64 ? { kind: 'int64' } : { kind: 'decimal', precision: 20, scale: 0 }, wire: 'bytes' };
    case T.JSON:
      return { type: { kind: 'json' }, wire: 'text' };
    case T.GEOMETRY:
      return { type: { kind: 'binary' }, wire: 'bytes' };
    case T.TINY_BLOB:
    case T.MEDIUM_BLOB:
    case T.LONG_BLOB:
    case T.BLOB:
    case T.VAR_STRING:
    case T.VARCHAR:
    case T.STRING:
      return bytes ? { type: { kind: 'binary' }, wire: 'bytes' } : { type: { kind: 'string' }, wire: 'text' };
    default:
      return { type: { kind: 'string' }, wire: bytes ? 'bytes' : 'text' };
  }
}

/** Whether mysql2 must be told to hand this column over as bytes (it would parse GEOMETRY into objects). */
export const needsBuffer = (f: FieldMeta) => f.columnType === T.GEOMETRY;

/**
 * A new table's column type for a logical type. TIMESTAMP is MySQL's instant type (stored in UTC, range
 * 1970-2038): a zoned timestamp goes there so it reads back as one; explicitly NULL, or old servers would
 * give the first one NOT NULL DEFAULT CURRENT_TIMESTAMP ON UPDATE. Text is LONGTEXT and bytes LONGBLOB so
 * no value is ever cut. JSON is MariaDB's JSON (LONGTEXT checked by json_valid, the text kept as sent);
 * MySQL's own JSON type normalises the text (key order, spacing).
 */
export function mysqlTypeFor(t: LogicalType): string {
  switch (t.kind) {
    case 'boolean':
      return 'tinyint(1)';
    case 'int32':
      return 'int';
    case 'int64':
      return 'bigint';
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'float64':
      return 'double';
    case 'string':
      return 'longtext';
    case 'binary':
      return 'longblob';
    case 'date':
      return 'date';
    case 'time':
      return 'time(6)';
    case 'timestamp':
      return t.tz ? 'timestamp(6) NULL' : 'datetime(6)';
    case 'json':
    case 'list':
    case 'struct':
      return 'json';
  }
}

/**
 * Identifiers are always quoted with backticks (`a``b` for a`b), so no table, column or header name can
 * end the identifier and start a statement. What MySQL cannot hold is refused with the name: NUL,
 * characters outside the BMP, a trailing space, more than 64 characters.
 */
export function quoteName(name: string, what = 'name'): string {
  const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
  const bad = (why: string): never => {
    throw new FerryError('INVALID_INPUT', `The ${what} "${shown}" ${why}: rename it`, { detail: { name } });
  };
  if (!name) bad('is empty');
  if (name.includes('\0')) bad('contains a NUL character, which MySQL does not allow in a name');
  if ([...name].length > 64) bad("is longer than MySQL's 64 characters");
  if (/ $/.test(name)) bad('ends with a space, which MySQL does not allow in a name');
  if (/[\u{10000}-\u{10FFFF}]/u.test(name)) bad('contains a character outside the Basic Multilingual Plane (an emoji?), which MySQL does not allow in a name');
  return `\`${name.replace(/`/g, '``')}\``;
}

export const qualifiedName = (t: TableName) => `${quoteName(t.schema, 'database name')}.${quoteName(t.table, 'table name')}`;
