import { TextDecoder } from 'node:util';
import { FerryError } from '../../errors';
import { CellError, inferColumnType, parseCell } from '../csv/infer';
import type { Batch, ByteSource, Column, FormatName, LogicalType, ReadOptions, TableReader, Value } from '../types';
import { JsonNumber, JsonSyntaxError, parseJson, stringifyJson, type JsonValue } from './parse';

const HEAD_BYTES = 256 * 1024;
const SAMPLE_ROWS = 1000;
const BATCH_ROWS = 4096;
const MAX_ELEMENT = 16 * 1024 * 1024;

/** One record's text and where it is: the 1-based line (NDJSON) or element index (JSON array). */
interface Piece {
  text: string;
  at: number;
}

/**
 * Splits a JSON array's top-level elements (tracking strings and depth) or NDJSON's lines, from decoded
 * chunks, without holding more than one element.
 */
class Splitter {
  private buf = '';
  private depth = 0;
  private inString = false;
  private escaped = false;
  private started = false;
  private index = 0;
  private line = 1;
  private done = false;

  constructor(private readonly ndjson: boolean, private readonly label: string) {}

  push(chunk: string, out: Piece[]): void {
    if (this.ndjson) return this.lines(chunk, out);
    let from = 0;
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk[i];
      if (!this.started) {
        if (c === '[') {
          this.started = true;
          from = i + 1;
        } else if (!/\s/.test(c) && c !== '\uFEFF') throw new FerryError('INVALID_INPUT', `${this.label} is not a JSON array (it starts with ${JSON.stringify(c)}): for one object per line use the ndjson format`, { detail: { file: this.label } });
        continue;
      }
      if (this.done) {
        if (!/\s/.test(c)) throw new FerryError('INVALID_INPUT', `${this.label}: text after the closing ] of the array`, { detail: { file: this.label } });
        continue;
      }
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === '\\') this.escaped = true;
        else if (c === '"') this.inString = false;
        continue;
      }
      if (c === '"') this.inString = true;
      else if (c === '{' || c === '[') this.depth++;
      else if (c === '}' || c === ']') {
        if (this.depth === 0 && c === ']') {
          this.emit(this.buf + chunk.slice(from, i), out);
          this.buf = '';
          this.done = true;
          continue;
        }
        this.depth--;
      } else if (c === ',' && this.depth === 0) {
        this.emit(this.buf + chunk.slice(from, i), out);
        this.buf = '';
        from = i + 1;
      }
    }
    if (!this.done) this.buf += chunk.slice(from);
    if (this.buf.length > MAX_ELEMENT) throw new FerryError('INVALID_INPUT', `${this.label}: element ${this.index + 1} is longer than 16 MiB`, { detail: { file: this.label, element: this.index + 1 } });
  }

  end(out: Piece[]): void {
    if (this.ndjson) {
      if (this.buf.trim()) out.push({ text: this.buf, at: this.line });
      return;
    }
    if (!this.done) {
      throw new FerryError('INVALID_INPUT', `${this.label} ends inside the JSON array (after element ${this.index}): the file is cut short`, { detail: { file: this.label, element: this.index + 1 } });
    }
  }

  private emit(text: string, out: Piece[]): void {
    if (text.trim() === '' && this.index === 0) return; // "[]"
    out.push({ text, at: ++this.index });
  }

  private lines(chunk: string, out: Piece[]): void {
    let from = 0;
    for (let nl = chunk.indexOf('\n'); nl !== -1; nl = chunk.indexOf('\n', from)) {
      const text = this.buf + chunk.slice(from, nl);
      this.buf = '';
      if (text.trim()) out.push({ text, at: this.line });
      this.line++;
      from = nl + 1;
    }
    this.buf += chunk.slice(from);
    if (this.buf.length > MAX_ELEMENT) throw new FerryError('INVALID_INPUT', `${this.label} line ${this.line} is longer than 16 MiB`, { detail: { file: this.label, line: this.line } });
  }
}

function parsePiece(p: Piece, ndjson: boolean, label: string): { [k: string]: JsonValue } {
  const where = ndjson ? `line ${p.at}` : `element ${p.at}`;
  let v: JsonValue;
  try {
    v = parseJson(p.text);
  } catch (e) {
    const msg = e instanceof JsonSyntaxError ? e.message : String(e);
    throw new FerryError('INVALID_INPUT', `${label} ${where}: not valid JSON: ${msg}`, { detail: { file: label, ...(ndjson ? { line: p.at } : { element: p.at }) } });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v) || v instanceof JsonNumber) {
    throw new FerryError('INVALID_INPUT', `${label} ${where}: a row must be a JSON object ({...})`, { detail: { file: label, ...(ndjson ? { line: p.at } : { element: p.at }) } });
  }
  return v;
}

/**
 * The type of a key over the sampled objects: booleans → boolean; numbers → int64 when all are integers
 * (else the CSV ladder on their text: exact decimal, or float64 for exponent notation); strings → date,
 * time or timestamp when every one is such, else string; objects and arrays → json; a mix → string.
 */
function inferKey(values: JsonValue[]): LogicalType {
  const present = values.filter((v) => v !== null && v !== undefined);
  if (present.length === 0) return { kind: 'string' };
  if (present.every((v) => typeof v === 'boolean')) return { kind: 'boolean' };
  if (present.every((v) => v instanceof JsonNumber)) {
    const t = inferColumnType(present.map((v) => (v as JsonNumber).text));
    return t.kind === 'int32' ? { kind: 'int64' } : t;
  }
  if (present.every((v) => typeof v === 'string')) {
    const t = inferColumnType(present as string[]);
    return t.kind === 'date' || t.kind === 'time' || t.kind === 'timestamp' ? t : { kind: 'string' };
  }
  if (present.every((v) => typeof v === 'object' && !(v instanceof JsonNumber))) return { kind: 'json' };
  return { kind: 'string' };
}

function toValue(v: JsonValue | undefined, t: LogicalType): Value {
  if (v === null || v === undefined) return null;
  if (t.kind === 'json') return stringifyJson(v);
  if (t.kind === 'string') return typeof v === 'string' ? v : stringifyJson(v);
  if (t.kind === 'boolean') {
    if (typeof v === 'boolean') return v;
    throw new CellError(`${stringifyJson(v)} is not a boolean`);
  }
  const text = v instanceof JsonNumber ? v.text : typeof v === 'string' ? v : null;
  if (text === null) throw new CellError(`${stringifyJson(v).slice(0, 60)} is not a ${t.kind}`);
  return parseCell(text, true, t);
}

export async function openJson(src: ByteSource, opts: ReadOptions, format: FormatName): Promise<TableReader> {
  const ndjson = format === 'ndjson';
  const head = await src.slice(0, Math.min(src.size, HEAD_BYTES));
  const complete = head.length >= src.size;
  const split = new Splitter(ndjson, src.label);
  const pieces: Piece[] = [];
  split.push(new TextDecoder('utf-8').decode(head), pieces);
  if (complete) split.end(pieces);
  const sample = pieces.slice(0, opts.sampleRows ?? SAMPLE_ROWS).map((p) => parsePiece(p, ndjson, src.label));
  const keys: string[] = [];
  const seen = new Set<string>();
  for (const o of sample) {
    for (const k of Object.keys(o)) {
      if (seen.has(k)) continue;
      seen.add(k);
      keys.push(k);
    }
  }
  const columns: Column[] = keys.map((k) => ({ name: k, type: inferKey(sample.map((o) => o[k] ?? null)) }));
  return {
    format,
    schema: { columns },
    rowCount: null,
    warnings: [],
    async *batches(o = {}) {
      let skip = o.offset ?? 0;
      let left = o.limit ?? Infinity;
      if (left <= 0) return;
      const stream = await src.stream(0, o.signal);
      const dec = new TextDecoder('utf-8');
      const sp = new Splitter(ndjson, src.label);
      const out: Piece[] = [];
      let rows: Value[][] = [];
      let origins: number[] = [];
      try {
        const feed = async function* () {
          for await (const chunk of stream as AsyncIterable<Buffer>) {
            o.signal?.throwIfAborted();
            sp.push(dec.decode(chunk, { stream: true }), out);
            yield;
          }
          sp.push(dec.decode(), out);
          sp.end(out);
          yield;
        };
        for await (const _ of feed()) {
          for (const p of out) {
            if (skip > 0) {
              skip--;
              continue;
            }
            const obj = parsePiece(p, ndjson, src.label);
            rows.push(
              columns.map((c) => {
                try {
                  return toValue(obj[c.name], c.type);
                } catch (e) {
                  if (!(e instanceof CellError)) throw e;
                  const where = ndjson ? `line ${p.at}` : `element ${p.at}`;
                  throw new FerryError('INVALID_INPUT', `${src.label} ${where}, key "${c.name}": ${e.message} (the type read from the first rows)`, {
                    detail: { file: src.label, ...(ndjson ? { line: p.at } : { element: p.at }), column: c.name },
                  });
                }
              }),
            );
            origins.push(p.at);
            if (--left <= 0) break;
            if (rows.length >= BATCH_ROWS) {
              yield { rows, origins } satisfies Batch;
              rows = [];
              origins = [];
            }
          }
          out.length = 0;
          if (left <= 0) break;
        }
        if (rows.length) yield { rows, origins };
      } finally {
        stream.destroy();
      }
    },
  };
}
