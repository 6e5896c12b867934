import { CellError, parseCell } from '../table/csv/infer';
import type { LogicalType, TimeUnit, Value } from '../table/types';
import { convertUnit, typeName, valueToText } from '../table/values';
import { isoDay, isoTimestamp } from './iso-cells';

/**
 * The per-row half of a load's light transforms and checks (the column half is load-plan.ts): each value
 * of a source row becomes the value of its target column, in LoadSpecSchema's order (nullAs, trim, then
 * the value in the column's load type, then fill), and is checked against what the target column accepts
 * before anything is sent. A value that cannot be loaded makes the row bad: the caller rejects it (with
 * --max-errors) or fails the load naming its line and column.
 */

/** One loaded column: where its values come from and what the table takes. */
export interface LoadColumn {
  /** Index of the source column (in the source row). */
  source: number;
  /** The source column's type (string for every CSV column read as text). */
  sourceType: LogicalType;
  /** The target column's name, as the table spells it. */
  target: string;
  /** The type the value is loaded as: the cast, else the existing column's, else the source's. */
  type: LogicalType;
  /** NOT NULL in an existing table. */
  notNull: boolean;
  /** The most characters the column holds (varchar(n), char(n)), else null. */
  maxLength: number | null;
  /** fill: the value (in `type`) a NULL becomes. */
  fill: Value;
}

export interface RowOptions {
  nullAs?: string;
  trim?: boolean;
  /** A U+FFFD in a text value means bytes the reader could not decode as UTF-8. */
  checkEncoding: boolean;
  /** Text numbers use a decimal comma ("3,14": a ';'-delimited CSV the reader found so). */
  decimalComma?: boolean;
}

export interface BadValue {
  column: string;
  reason: string;
}

/** The target row of a source row, or why it cannot be loaded. */
export function transformRow(row: Value[], columns: LoadColumn[], opts: RowOptions): Value[] | BadValue {
  const out: Value[] = new Array(columns.length);
  for (let i = 0; i < columns.length; i++) {
    const c = columns[i];
    let v = row[c.source] ?? null;
    if (typeof v === 'string') {
      if (opts.checkEncoding && v.includes('\uFFFD')) return { column: c.target, reason: 'bytes that are not valid UTF-8' };
      if (opts.nullAs !== undefined && v === opts.nullAs) v = null;
      else if (opts.trim) v = v.trim();
    }
    let value: Value;
    try {
      value = convertValue(v, c.sourceType, c.type, opts.decimalComma);
    } catch (e) {
      if (e instanceof CellError) return { column: c.target, reason: e.message };
      throw e;
    }
    if (value === null) value = c.fill;
    if (value === null && c.notNull) return { column: c.target, reason: 'NULL in a column that is NOT NULL' };
    if (c.maxLength !== null && typeof value === 'string' && value.length > c.maxLength && [...value].length > c.maxLength) {
      return { column: c.target, reason: `${[...value].length} characters where the column holds at most ${c.maxLength}` };
    }
    out[i] = value;
  }
  return out;
}

/**
 * A value of type `from` as a value of type `to`. Text is parsed by the table layer's cell rules (the same
 * as reading a CSV cell of that type: a date that does not exist, "three" for an integer, a decimal with
 * too many digits are CellErrors); other values go through their canonical text, so every conversion is
 * exact or refused, never rounded.
 */
export function convertValue(v: Value, from: LogicalType, to: LogicalType, decimalComma = false): Value {
  if (v === null) return null;
  if (typeof v === 'string') return to.kind === 'binary' ? hexBytes(v) : (isoCell(v, to) ?? parseCell(v, true, to, { decimalComma }));
  if (from.kind === to.kind && typeName(from) === typeName(to)) return v;
  if (from.kind === 'timestamp' && to.kind === 'timestamp') return convertUnit(v as bigint, from.unit, to.unit);
  if (to.kind === 'string' || to.kind === 'json') return valueToText(v, from);
  return parseCell(valueToText(v, from), true, to);
}

/** A date or timestamp in plain ISO form, read without a regex or a Date (the same value parseCell gives); else undefined. */
function isoCell(v: string, to: LogicalType): Value | undefined {
  if (to.kind === 'date') return v.length === 10 ? (isoDay(v) ?? undefined) : undefined;
  if (to.kind !== 'timestamp') return undefined;
  const t = isoTimestamp(v, to.unit);
  return t && t.hasOffset === (to.tz !== null) ? t.value : undefined;
}

/** Binary as text is PostgreSQL's hex form ("\\x0a1b"), which Ferry's exports write too. */
function hexBytes(text: string): Uint8Array {
  if (!/^\\x([0-9a-fA-F]{2})*$/.test(text)) throw new CellError(`"${text.slice(0, 40)}" is not binary written as \\x and hex digits`);
  return Buffer.from(text.slice(2), 'hex');
}

/** A type as --cast names it: the preview's names (int64, decimal(18,2), timestamp[us, UTC]) or a few SQL ones. */
export function parseTypeName(text: string): LogicalType | null {
  const t = text.trim().toLowerCase();
  const dec = /^(?:decimal|numeric)\((\d+),\s*(\d+)\)$/.exec(t);
  if (dec) {
    const [precision, scale] = [Number(dec[1]), Number(dec[2])];
    return precision >= 1 && precision <= 38 && scale <= precision ? { kind: 'decimal', precision, scale } : null;
  }
  const ts = /^timestamp(?:\[(ms|us|ns)(?:,\s*(utc))?\])?$/.exec(t);
  if (ts) return { kind: 'timestamp', unit: (ts[1] as TimeUnit | undefined) ?? 'us', tz: ts[2] ? 'UTC' : null };
  const time = /^time(?:\[(ms|us|ns)\])?$/.exec(t);
  if (time) return { kind: 'time', unit: (time[1] as TimeUnit | undefined) ?? 'us' };
  const simple: Record<string, LogicalType> = {
    boolean: { kind: 'boolean' }, bool: { kind: 'boolean' },
    int32: { kind: 'int32' }, int: { kind: 'int32' }, integer: { kind: 'int32' },
    int64: { kind: 'int64' }, bigint: { kind: 'int64' },
    float64: { kind: 'float64' }, double: { kind: 'float64' }, float: { kind: 'float64' },
    string: { kind: 'string' }, text: { kind: 'string' },
    date: { kind: 'date' },
    timestamptz: { kind: 'timestamp', unit: 'us', tz: 'UTC' },
    json: { kind: 'json' },
  };
  return simple[t] ?? null;
}

/** The most characters a database column type holds ("character varying(20)", "varchar(20)", "CHAR(2)"), else null. */
export function maxLengthOf(dbType: string): number | null {
  const m = /^(?:character varying|varchar|character|char|nvarchar|nchar)\s*\((\d+)\)$/i.exec(dbType.trim());
  return m ? Number(m[1]) : null;
}
