import type { SchemaElement } from 'hyparquet-writer';
import { FerryError } from '../../errors';
import type { LogicalType, Schema, Value } from '../types';
import { typeName, unitsPerSecond } from '../values';

/**
 * The table layer's types → Parquet schema elements for hyparquet-writer, and each column's preparation
 * of a Value into what hyparquet-writer encodes exactly (it takes bigint for INT64 and for DECIMAL's
 * unscaled value, numbers for INT32). Every column is OPTIONAL: NULL is a definition level, '' a value.
 *
 *   boolean → BOOLEAN; int32 → INT32; int64 → INT64; float64 → DOUBLE; string → BYTE_ARRAY STRING;
 *   binary → BYTE_ARRAY; json → BYTE_ARRAY JSON (the text as is); date → INT32 DATE;
 *   time(ms) → INT32 TIME(MILLIS), time(us|ns) → INT64 TIME(MICROS|NANOS);
 *   timestamp(unit, tz) → INT64 TIMESTAMP(unit, isAdjustedToUTC = tz === 'UTC');
 *   decimal(p,s) → DECIMAL on INT32 (p ≤ 9), INT64 (p ≤ 18), else FIXED_LEN_BYTE_ARRAY of the fewest bytes;
 *   list → the standard 3-level LIST (list / element); struct → a group.
 */
export interface ColumnOut {
  name: string;
  type: LogicalType;
  /** Throws FerryError INVALID_INPUT when the value does not fit the column's type. */
  prepare: (v: Value) => unknown;
  /** Strings, binary, json: their size counts toward the row group's byte bound. */
  variable: boolean;
}

export interface SchemaOut {
  elements: SchemaElement[];
  columns: ColumnOut[];
  /** Call before the footer is written (see jsonElements). */
  beforeFooter(): void;
}

export function schemaOut(schema: Schema): SchemaOut {
  if (!schema.columns.length) throw new FerryError('INVALID_INPUT', 'a Parquet file needs at least one column');
  const seen = new Set<string>();
  for (const c of schema.columns) {
    if (seen.has(c.name)) throw new FerryError('INVALID_INPUT', `two columns are named '${c.name}'; Parquet column names must be unique`, { detail: { column: c.name } });
    seen.add(c.name);
  }
  const json: SchemaElement[] = [];
  const elements: SchemaElement[] = [{ name: 'schema', num_children: schema.columns.length }];
  for (const c of schema.columns) elements.push(...elementsFor(c.name, c.type, json));
  const columns = schema.columns.map((c) => ({
    name: c.name,
    type: c.type,
    prepare: preparer(c.type, c.name),
    variable: c.type.kind === 'string' || c.type.kind === 'binary' || c.type.kind === 'json',
  }));
  return {
    elements,
    columns,
    // JSON columns are encoded as UTF8 strings (hyparquet-writer would JSON.stringify a JSON column's values,
    // quoting our text) and labelled JSON in the footer, which is written from these same objects at the end.
    beforeFooter: () => {
      for (const el of json) Object.assign(el, { converted_type: 'JSON', logical_type: { type: 'JSON' } });
    },
  };
}

function elementsFor(name: string, t: LogicalType, json: SchemaElement[]): SchemaElement[] {
  const repetition_type = 'OPTIONAL' as const;
  switch (t.kind) {
    case 'boolean':
      return [{ name, repetition_type, type: 'BOOLEAN' }];
    case 'int32':
      return [{ name, repetition_type, type: 'INT32' }];
    case 'int64':
      return [{ name, repetition_type, type: 'INT64' }];
    case 'float64':
      return [{ name, repetition_type, type: 'DOUBLE' }];
    case 'string':
      return [{ name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8', logical_type: { type: 'STRING' } }];
    case 'binary':
      return [{ name, repetition_type, type: 'BYTE_ARRAY' }];
    case 'json': {
      const el: SchemaElement = { name, repetition_type, type: 'BYTE_ARRAY', converted_type: 'UTF8' };
      json.push(el);
      return [el];
    }
    case 'date':
      return [{ name, repetition_type, type: 'INT32', converted_type: 'DATE', logical_type: { type: 'DATE' } }];
    case 'time': {
      const unit = UNIT[t.unit];
      const logical_type = { type: 'TIME' as const, isAdjustedToUTC: false, unit };
      if (t.unit === 'ms') return [{ name, repetition_type, type: 'INT32', converted_type: 'TIME_MILLIS', logical_type }];
      return [{ name, repetition_type, type: 'INT64', converted_type: t.unit === 'us' ? 'TIME_MICROS' : undefined, logical_type }];
    }
    case 'timestamp': {
      const utc = t.tz === 'UTC';
      // The legacy converted types mean "UTC-adjusted": only written for such columns (and not for ns, which has none).
      const converted_type = utc && t.unit !== 'ns' ? (t.unit === 'ms' ? 'TIMESTAMP_MILLIS' : 'TIMESTAMP_MICROS') : undefined;
      return [{ name, repetition_type, type: 'INT64', converted_type, logical_type: { type: 'TIMESTAMP', isAdjustedToUTC: utc, unit: UNIT[t.unit] } }];
    }
    case 'decimal': {
      const { precision, scale } = t;
      const base = { name, repetition_type, converted_type: 'DECIMAL' as const, precision, scale, logical_type: { type: 'DECIMAL' as const, precision, scale } };
      if (precision <= 9) return [{ ...base, type: 'INT32' }];
      if (precision <= 18) return [{ ...base, type: 'INT64' }];
      return [{ ...base, type: 'FIXED_LEN_BYTE_ARRAY', type_length: decimalBytes(precision) }];
    }
    case 'list':
      return [
        { name, repetition_type, num_children: 1, converted_type: 'LIST', logical_type: { type: 'LIST' } },
        { name: 'list', repetition_type: 'REPEATED', num_children: 1 },
        ...elementsFor('element', t.of, json),
      ];
    case 'struct':
      return [{ name, repetition_type, num_children: t.fields.length }, ...t.fields.flatMap((f) => elementsFor(f.name, f.type, json))];
  }
}

const UNIT = { ms: 'MILLIS', us: 'MICROS', ns: 'NANOS' } as const;

/** Fewest bytes whose two's complement holds every value of `precision` digits (38 → 16). */
export function decimalBytes(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (max >= 1n << BigInt(bytes * 8 - 1)) bytes++;
  return bytes;
}

type Prepare = (v: Value) => unknown;

function preparer(t: LogicalType, column: string): Prepare {
  const bad = (v: Value): never => {
    throw new FerryError('INVALID_INPUT', `column '${column}': ${describe(v)} is not a ${typeName(t)} value`, { detail: { column } });
  };
  const nullOr = (ok: (v: Value) => boolean, map?: (v: Value) => unknown): Prepare => (v) => (v === null ? null : ok(v) ? (map ? map(v) : v) : bad(v));
  switch (t.kind) {
    case 'boolean':
      return nullOr((v) => typeof v === 'boolean');
    case 'int32':
      return nullOr((v) => typeof v === 'number' && (v | 0) === v);
    case 'float64':
      return nullOr((v) => typeof v === 'number');
    case 'string':
    case 'json':
      return nullOr((v) => typeof v === 'string');
    case 'binary':
      return nullOr((v) => v instanceof Uint8Array);
    case 'date':
      return nullOr((v) => typeof v === 'number' && (v | 0) === v);
    case 'int64':
    case 'timestamp':
      return nullOr((v) => typeof v === 'bigint' && BigInt.asIntN(64, v) === v);
    case 'time': {
      const day = 86_400n * unitsPerSecond(t.unit);
      return nullOr((v) => typeof v === 'bigint' && v >= 0n && v < day, t.unit === 'ms' ? Number : undefined);
    }
    case 'decimal': {
      const bound = 10n ** BigInt(t.precision);
      return nullOr((v) => typeof v === 'bigint' && v < bound && v > -bound);
    }
    case 'list': {
      const inner = preparer(t.of, column);
      return nullOr(Array.isArray, (v) => (v as Value[]).map(inner));
    }
    case 'struct': {
      const fields = t.fields.map((f) => ({ name: f.name, prepare: preparer(f.type, `${column}.${f.name}`) }));
      return nullOr(
        (v) => typeof v === 'object' && !Array.isArray(v) && !(v instanceof Uint8Array),
        (v) => {
          const o = v as { [k: string]: Value };
          const out: Record<string, unknown> = {};
          for (const f of fields) out[f.name] = f.prepare(o[f.name] ?? null);
          return out;
        },
      );
    }
  }
}

/** A value as an error message shows it. */
export function describe(v: Value): string {
  if (typeof v === 'bigint') return `${v}n`;
  if (v instanceof Uint8Array) return `${v.length} bytes`;
  if (typeof v === 'string') return JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v);
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object' && v !== null) return 'a struct';
  return `${typeof v} ${String(v)}`;
}
