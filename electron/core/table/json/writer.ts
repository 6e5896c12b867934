import type { Batch, LogicalType, Schema, Value, WriteOptions } from '../types';
import { toJsonValue, valueToText } from '../values';

const FLUSH_CHARS = 1 << 20;

/**
 * JSON (an array, one object per line) or NDJSON. int64 and decimal are written as JSON numbers with every
 * digit (DuckDB reads them back as BIGINT and DECIMAL/DOUBLE), dates and timestamps as ISO strings, binary
 * as base64, json columns as their JSON embedded, NULL as null and '' as "".
 */
export async function* writeJson(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions & { lines: boolean }): AsyncIterable<Uint8Array> {
  const keys = schema.columns.map((c) => JSON.stringify(c.name) + ':');
  const types = schema.columns.map((c) => c.type);
  let out = opts.lines ? '' : '[';
  let first = true;
  for await (const batch of batches) {
    opts.signal?.throwIfAborted();
    for (const r of batch.rows) {
      let o = '{';
      for (let c = 0; c < types.length; c++) o += (c ? ',' : '') + keys[c] + cell(r[c] ?? null, types[c]);
      o += '}';
      out += opts.lines ? o + '\n' : (first ? '\n' : ',\n') + o;
      first = false;
      if (out.length >= FLUSH_CHARS) {
        yield Buffer.from(out, 'utf8');
        out = '';
      }
    }
  }
  if (!opts.lines) out += first ? ']\n' : '\n]\n';
  if (out) yield Buffer.from(out, 'utf8');
}

function cell(v: Value, t: LogicalType): string {
  if (v === null) return 'null';
  switch (t.kind) {
    case 'int64':
    case 'decimal':
    case 'int32':
      return valueToText(v, t)!;
    case 'float64':
      return Number.isFinite(v as number) ? String(v) : JSON.stringify(String(v));
    case 'boolean':
      return v ? 'true' : 'false';
    case 'json':
      return isJson(v as string) ? (v as string) : JSON.stringify(v);
    default:
      return JSON.stringify(toJsonValue(v, t));
  }
}

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}
