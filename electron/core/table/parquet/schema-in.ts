import { parquetSchema, type FileMetaData, type ParquetParsers, type SchemaElement, type SchemaTree } from 'hyparquet';
import type { Column, LogicalType, TimeUnit, Value } from '../types';

/**
 * Parquet's physical and logical types → the table layer's LogicalType, and each column's converter from
 * what hyparquet decodes to the exact Value.
 *
 * hyparquet's own conversions lose data in places: decimals become JS numbers, timestamps become Dates
 * (milliseconds), JSON is parsed, unsigned 64-bit ints come back signed in nullable columns, maps become JS
 * objects (keys stringified, integer-like keys reordered). So hyparquet reads a *raw* copy of the footer
 * whose schema keeps only the annotations it converts exactly and usefully (strings, decoded once per
 * dictionary entry; JSON as text via RAW_PARSERS; UUID as hex; FLOAT16) and has the rest stripped, and the
 * converters here finish the job from the physical values (INT96 goes through RAW_PARSERS as nanoseconds).
 *
 * Mapping (documented for users in the report / docs):
 *   INT32 (+INT_8/16/32, UINT_8/16) → int32; UINT_32 → int64; INT64 (+INT_64) → int64;
 *   UINT_64 → decimal(20,0) (every uint64 fits, none is lost); DECIMAL on INT32/INT64/FIXED/BYTE_ARRAY →
 *   decimal(p,s); FLOAT, DOUBLE, FLOAT16 → float64; BOOLEAN → boolean; STRING/UTF8/ENUM → string;
 *   UUID → string (8-4-4-4-12 hex); JSON → json (text); BSON, GEOMETRY, GEOGRAPHY, plain BYTE_ARRAY and
 *   FIXED_LEN_BYTE_ARRAY → binary; DATE → date; TIME(unit) → time(unit); TIMESTAMP(unit, adjusted) →
 *   timestamp(unit, 'UTC' | null), legacy TIMESTAMP_MILLIS/MICROS → UTC; INT96 → timestamp(ns, null) (as
 *   Arrow reads it); INTERVAL → string (ISO 8601 duration "P{months}M{days}DT{seconds}S"); LIST → list;
 *   group → struct; MAP → list<struct<key, value>> (order and key types kept); VARIANT → json.
 */
export type Convert = (raw: unknown) => Value;

export interface ColumnPlan {
  column: Column;
  /** null: hyparquet's value is already the exact Value (undefined still becomes null). */
  convert: Convert | null;
}

const decoder = new TextDecoder();
const same = <T>(v: T): T => v;

export const RAW_PARSERS: Partial<ParquetParsers> = {
  timestampFromMilliseconds: same,
  timestampFromMicroseconds: same,
  timestampFromNanoseconds: same,
  dateFromDays: same,
  jsonFromBytes: (b: Uint8Array) => b && decoder.decode(b),
};

export function planColumns(md: FileMetaData): ColumnPlan[] {
  return parquetSchema(md).children.map((node) => {
    const t = nodeType(node);
    return { column: { name: node.element.name, type: t.type }, convert: t.convert };
  });
}

/** The footer hyparquet reads with: same row groups, schema stripped of the annotations it would convert lossily. */
export function rawMetadata(md: FileMetaData): FileMetaData {
  return { ...md, schema: md.schema.map((el, i) => (i === 0 ? el : rawElement(el))) };
}

function rawElement(el: SchemaElement): SchemaElement {
  const c = el.converted_type;
  const l = el.logical_type?.type;
  const strip = { ...el, converted_type: undefined, logical_type: undefined };
  if (el.num_children) {
    // hyparquet assembles lists by converted_type only; a map is read as the struct it physically is.
    if (c === 'LIST' || l === 'LIST') return { ...el, converted_type: 'LIST' };
    if (c === 'MAP' || c === 'MAP_KEY_VALUE' || l === 'MAP') return strip;
    return el;
  }
  if (c === 'UTF8' || c === 'ENUM' || l === 'STRING' || l === 'ENUM') return { ...strip, converted_type: 'UTF8' };
  if (c === 'JSON' || l === 'JSON') return { ...strip, converted_type: 'JSON' };
  if (l === 'UUID' || l === 'FLOAT16') return el;
  // DATE and TIMESTAMP too: their physical integer is already the Value, and hyparquet would copy the
  // column through a parser just to hand it back. DECIMAL, (U)INT_n, TIME, INTERVAL, BSON, GEOMETRY...
  // are converted here from the physical value.
  return strip;
}

interface Typed {
  type: LogicalType;
  convert: Convert | null;
}

function nodeType(node: SchemaTree, insideRepeated = false): Typed {
  const inner = node.children.length ? groupType(node) : leafType(node.element);
  if (node.element.repetition_type === 'REPEATED' && !insideRepeated) return listOf(inner);
  return inner;
}

function groupType(node: SchemaTree): Typed {
  const el = node.element;
  const c = el.converted_type;
  const l = el.logical_type?.type;
  const only = node.children.length === 1 ? node.children[0] : undefined;
  if ((c === 'LIST' || l === 'LIST') && only?.element.repetition_type === 'REPEATED' && only.children.length <= 1) {
    // hyparquet's rule: the repeated group's single child is the element (3-level list); a repeated leaf is its own element.
    const element = only.children.length === 1 ? only.children[0] : only;
    return listOf(nodeType(element, element === only));
  }
  if ((c === 'MAP' || c === 'MAP_KEY_VALUE' || l === 'MAP') && only?.element.repetition_type === 'REPEATED' && only.children.length === 2) {
    return mapType(only);
  }
  if (l === 'VARIANT') return { type: { kind: 'json' }, convert: (v) => (v == null ? null : jsonText(v)) };
  return structOf(node.children);
}

function listOf(inner: Typed): Typed {
  const conv = inner.convert;
  return {
    type: { kind: 'list', of: inner.type },
    convert: (v) => (v == null ? null : (v as unknown[]).map(conv ?? nullish)),
  };
}

function structOf(children: SchemaTree[]): Typed {
  const fields = children.map((ch) => ({ name: ch.element.name, t: nodeType(ch) }));
  return {
    type: { kind: 'struct', fields: fields.map((f) => ({ name: f.name, type: f.t.type })) },
    convert: (v) => {
      if (v == null) return null;
      const o = v as Record<string, unknown>;
      const out: { [k: string]: Value } = {};
      for (const f of fields) out[f.name] = (f.t.convert ?? nullish)(o[f.name]);
      return out;
    },
  };
}

/** The map's repeated key_value group arrives as a struct field holding a list of {key, value}. */
function mapType(kv: SchemaTree): Typed {
  const entry = structOf(kv.children);
  const entries = listOf(entry);
  const name = kv.element.name;
  return {
    type: entries.type,
    convert: (v) => (v == null ? null : entries.convert!((v as Record<string, unknown>)[name] ?? [])),
  };
}

function nullish(v: unknown): Value {
  return v === undefined ? null : (v as Value);
}

function leafType(el: SchemaElement): Typed {
  const c = el.converted_type;
  const lt = el.logical_type;
  const phys = el.type;
  if (c === 'DECIMAL' || lt?.type === 'DECIMAL') {
    const precision = (lt?.type === 'DECIMAL' ? lt.precision : el.precision) ?? (phys === 'INT32' ? 9 : phys === 'INT64' ? 18 : 38);
    const scale = (lt?.type === 'DECIMAL' ? lt.scale : el.scale) ?? 0;
    const convert: Convert | null =
      phys === 'INT32' ? (v) => (v == null ? null : BigInt(v as number)) : phys === 'INT64' ? null : (v) => (v == null ? null : bytesToBigInt(v as Uint8Array));
    return { type: { kind: 'decimal', precision, scale }, convert };
  }
  const int = lt?.type === 'INTEGER' ? { bits: lt.bitWidth, signed: lt.isSigned } : INT_CONVERTED[c ?? ''];
  if (int) {
    if (int.bits === 64) return int.signed ? { type: { kind: 'int64' }, convert: null } : { type: { kind: 'decimal', precision: 20, scale: 0 }, convert: (v) => (v == null ? null : BigInt.asUintN(64, v as bigint)) };
    if (int.bits === 32 && !int.signed) return { type: { kind: 'int64' }, convert: (v) => (v == null ? null : BigInt((v as number) >>> 0)) };
    return { type: { kind: 'int32' }, convert: null };
  }
  if (c === 'DATE' || lt?.type === 'DATE') return { type: { kind: 'date' }, convert: null };
  if (lt?.type === 'TIME' || c === 'TIME_MILLIS' || c === 'TIME_MICROS') {
    const unit: TimeUnit = lt?.type === 'TIME' ? UNIT[lt.unit] : c === 'TIME_MILLIS' ? 'ms' : 'us';
    return { type: { kind: 'time', unit }, convert: phys === 'INT32' ? (v) => (v == null ? null : BigInt(v as number)) : null };
  }
  if (lt?.type === 'TIMESTAMP') return { type: { kind: 'timestamp', unit: UNIT[lt.unit], tz: lt.isAdjustedToUTC ? 'UTC' : null }, convert: null };
  if (c === 'TIMESTAMP_MILLIS' || c === 'TIMESTAMP_MICROS') return { type: { kind: 'timestamp', unit: c === 'TIMESTAMP_MILLIS' ? 'ms' : 'us', tz: 'UTC' }, convert: null };
  if (c === 'UTF8' || c === 'ENUM' || lt?.type === 'STRING' || lt?.type === 'ENUM' || lt?.type === 'UUID') return { type: { kind: 'string' }, convert: null };
  if (c === 'JSON' || lt?.type === 'JSON') return { type: { kind: 'json' }, convert: null };
  if (lt?.type === 'FLOAT16') return { type: { kind: 'float64' }, convert: null };
  if (c === 'INTERVAL') return { type: { kind: 'string' }, convert: (v) => (v == null ? null : intervalText(v as Uint8Array)) };
  switch (phys) {
    case 'BOOLEAN':
      return { type: { kind: 'boolean' }, convert: null };
    case 'INT32':
      return { type: { kind: 'int32' }, convert: null };
    case 'INT64':
      return { type: { kind: 'int64' }, convert: null };
    case 'INT96':
      return { type: { kind: 'timestamp', unit: 'ns', tz: null }, convert: null };
    case 'FLOAT':
    case 'DOUBLE':
      return { type: { kind: 'float64' }, convert: null };
    default:
      return { type: { kind: 'binary' }, convert: null };
  }
}

const UNIT: Record<'MILLIS' | 'MICROS' | 'NANOS', TimeUnit> = { MILLIS: 'ms', MICROS: 'us', NANOS: 'ns' };

const INT_CONVERTED: Record<string, { bits: number; signed: boolean } | undefined> = {
  INT_8: { bits: 8, signed: true },
  INT_16: { bits: 16, signed: true },
  INT_32: { bits: 32, signed: true },
  INT_64: { bits: 64, signed: true },
  UINT_8: { bits: 8, signed: false },
  UINT_16: { bits: 16, signed: false },
  UINT_32: { bits: 32, signed: false },
  UINT_64: { bits: 64, signed: false },
};

/** Big-endian two's complement (Parquet's DECIMAL bytes) → bigint, 8 bytes at a time. */
export function bytesToBigInt(b: Uint8Array): bigint {
  const n = b.length;
  if (n === 0) return 0n;
  const dv = new DataView(b.buffer, b.byteOffset, n);
  let v = 0n;
  let i = 0;
  for (; i + 8 <= n; i += 8) v = (v << 64n) | dv.getBigUint64(i);
  for (; i < n; i++) v = (v << 8n) | BigInt(b[i]);
  return b[0] & 0x80 ? v - (1n << BigInt(n * 8)) : v;
}

/** INTERVAL: three little-endian uint32 (months, days, milliseconds) → "P1M2DT3.004S". */
function intervalText(b: Uint8Array): string {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const ms = dv.getUint32(8, true);
  const secs = `${Math.floor(ms / 1000)}${ms % 1000 ? `.${String(ms % 1000).padStart(3, '0').replace(/0+$/, '')}` : ''}`;
  return `P${dv.getUint32(0, true)}M${dv.getUint32(4, true)}DT${secs}S`;
}

/** A decoded VARIANT as JSON text: bigints as their digits (never through a float), bytes as base64. */
function jsonText(v: unknown): string {
  const marks: string[] = [];
  const text = JSON.stringify(v, (_k, x: unknown) => {
    if (typeof x === 'bigint') return `\u0000${marks.push(x.toString()) - 1}\u0000`;
    if (x instanceof Uint8Array) return Buffer.from(x).toString('base64');
    return x;
  });
  return text.replace(/"\\u0000(\d+)\\u0000"/g, (_m, i: string) => marks[Number(i)]);
}
