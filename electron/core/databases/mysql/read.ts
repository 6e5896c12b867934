import type { Readable } from 'node:stream';
import { FerryError } from '../../errors';
import type { Batch, Column, Value } from '../../table/types';
import { parseDate, parseDecimal, parseTime, parseTimestamp } from '../../table/values';
import type { ReadType } from './types-map';

/**
 * Rows of a mysql2 query stream (rowsAsArray; BIGINT and DECIMAL as strings, dates as the server's text,
 * JSON as its text, binary columns as Buffers) as batches of logical values. A value the logical type cannot
 * hold exactly is refused with its row and column, never rounded or turned into NULL: MySQL's zero dates
 * (0000-00-00, 2024-00-10), and TIME values outside a day (MySQL's TIME is a duration up to ±838 hours).
 */
const BATCH_ROWS = 4096;

export async function* mysqlRowBatches(stream: Readable, columns: Column[], reads: ReadType[], label: string, signal?: AbortSignal): AsyncGenerator<Batch> {
  const convert = columns.map((c, i) => converter(c, reads[i], label));
  let rows: Value[][] = [];
  let rowNo = 0;
  for await (const raw of stream as AsyncIterable<unknown[]>) {
    signal?.throwIfAborted();
    rowNo++;
    const out: Value[] = new Array(convert.length);
    for (let c = 0; c < convert.length; c++) {
      const v = raw[c];
      out[c] = v === null || v === undefined ? null : convert[c](v, rowNo);
    }
    rows.push(out);
    if (rows.length >= BATCH_ROWS) {
      yield { rows };
      rows = [];
    }
  }
  if (rows.length) yield { rows };
}

type Convert = (v: unknown, row: number) => Value;

function converter(col: Column, read: ReadType, label: string): Convert {
  const t = col.type;
  const bad = (v: unknown, row: number, why = `cannot be read as ${t.kind}`): never => {
    const text = Buffer.isBuffer(v) ? `0x${v.toString('hex')}` : String(v);
    throw new FerryError('INVALID_INPUT', `${label}, row ${row}, column '${col.name}': ${JSON.stringify(text)} ${why}`, {
      detail: { row, column: col.name, value: text },
    });
  };
  const text = (v: unknown) => (Buffer.isBuffer(v) ? v.toString('utf8') : String(v));
  switch (t.kind) {
    case 'boolean':
      return read.wire === 'bytes' ? (v) => (v as Buffer).some((b) => b !== 0) : (v) => Number(v) !== 0;
    case 'int32':
      return (v) => Number(v);
    case 'int64':
      return read.wire === 'bytes' ? (v) => bitsValue(v as Buffer) : (v) => BigInt(v as string | number);
    case 'float64':
      return (v) => Number(v);
    case 'decimal':
      if (read.wire === 'bytes') return (v) => bitsValue(v as Buffer);
      return (v, r) => parseDecimal(String(v), t.precision, t.scale) ?? bad(v, r);
    case 'binary':
      return (v) => new Uint8Array(v as Buffer);
    case 'date': {
      const days = new Map<string, number | null>();
      return (v, r) => {
        const s = String(v);
        let d = days.get(s);
        if (d === undefined) {
          d = parseDate(s);
          if (days.size > 100_000) days.clear();
          days.set(s, d);
        }
        return d ?? bad(v, r, zeroDate);
      };
    }
    case 'time':
      return (v, r) => parseTime(String(v), 'us') ?? bad(v, r, 'is not a time of day (MySQL TIME is a duration up to ±838 hours): export it with a --query that casts it to text');
    case 'timestamp':
      return (v, r) => parseTimestamp(String(v), 'us')?.value ?? bad(v, r, zeroDate);
    default:
      return (v) => text(v);
  }
}

const zeroDate = "is not a real date (MySQL's zero date?): export with a --query that turns it into NULL, e.g. NULLIF(col, '0000-00-00')";

/** BIT(n): the bytes are the number, big-endian. */
function bitsValue(b: Buffer): bigint {
  let n = 0n;
  for (const byte of b) n = (n << 8n) | BigInt(byte);
  return n;
}
