import { to as copyTo } from 'pg-copy-streams';
import type { CopyToStreamQuery } from 'pg-copy-streams';
import { FerryError } from '../../errors';

/**
 * `COPY ... TO STDOUT` as runs of whole CopyData messages, still framed ('d', a 4-byte length, one row).
 *
 * pg-copy-streams' own stream strips the framing by slicing every message and copying the rows into one
 * buffer per socket chunk: a fifth of a 1M-row export's CPU, for bytes the readers then walk again to find
 * the rows. PostgreSQL sends one CopyData message per row ("messages sent from the backend will always
 * correspond to single data rows", protocol docs 55.2.6), so the framing already says where each row ends:
 * the socket's chunks are passed on as they came (subarrays, no copy), cut at message boundaries, and the
 * readers walk the frames (forEachRow below, copy-text.ts, copy-csv.ts).
 *
 * Only `_parse` of pg-copy-streams 7.0.0 (pinned in package.json) is replaced; its hand-over of the
 * connection to pg (attach, detach, error and completion callbacks) is kept as it is.
 */

const COPY_DATA = 0x64; // 'd'
const COPY_DONE = 0x63; // 'c'
const ERROR_RESPONSE = 0x45; // 'E'

export interface FrameSplit {
  /** Runs of whole CopyData messages, in order. */
  data: Buffer[];
  /** Set when the COPY has ended ('done': CopyDone read; 'error': an ErrorResponse starts `rest`). */
  end: 'done' | 'error' | null;
  /** After an end: the bytes that belong to pg again (the ErrorResponse, or CommandComplete and ReadyForQuery). */
  rest: Buffer | null;
}

/** Cuts the server's bytes into runs of whole CopyData messages; other messages in the COPY (notices, parameter status, the CopyOutResponse) are dropped. */
export class CopyFrames {
  /** The start of a message not yet whole, in the pieces it came in (joined once it is whole: a 100 MB row costs one copy). */
  private pending: Buffer[] = [];
  private pendingLength = 0;

  split(chunk: Buffer): FrameSplit {
    const data: Buffer[] = [];
    let from = 0;
    if (this.pendingLength) {
      const had = this.pendingLength;
      this.pending.push(chunk);
      this.pendingLength += chunk.length;
      const whole = this.pendingMessageLength();
      if (this.pendingLength < whole) return { data, end: null, rest: null };
      // Only the straddling message is joined; the rest of the chunk is walked where it lies.
      const head = Buffer.concat(this.pending, whole);
      this.pending = [];
      this.pendingLength = 0;
      from = whole - had;
      const ended = this.walk(head, 0, data);
      if (ended) return { ...ended, rest: Buffer.concat([ended.rest!, chunk.subarray(from)]) };
    }
    return this.walk(chunk, from, data) ?? { data, end: null, rest: null };
  }

  /** Walks buf's messages from p, adding runs of CopyData to `data`; the COPY's end, or null (a partial message is kept). */
  private walk(buf: Buffer, p: number, data: Buffer[]): FrameSplit | null {
    let run = p;
    while (p + 5 <= buf.length) {
      const code = buf[p];
      if (code === ERROR_RESPONSE) {
        if (p > run) data.push(buf.subarray(run, p));
        return { data, end: 'error', rest: buf.subarray(p) };
      }
      const next = p + 1 + buf.readUInt32BE(p + 1);
      if (next > buf.length) break;
      if (code !== COPY_DATA) {
        if (p > run) data.push(buf.subarray(run, p));
        if (code === COPY_DONE) return { data, end: 'done', rest: buf.subarray(next) };
        run = next;
      }
      p = next;
    }
    if (p > run) data.push(buf.subarray(run, p));
    if (p < buf.length) {
      this.pending = [buf.subarray(p)];
      this.pendingLength = buf.length - p;
    }
    return null;
  }

  /** The whole length of the pending message (its code and length field included), or 5 while the length is not in yet. */
  private pendingMessageLength(): number {
    if (this.pendingLength < 5) return 5;
    if (this.pending[0].length < 5) this.pending = [Buffer.concat(this.pending, this.pendingLength)];
    return 1 + this.pending[0].readUInt32BE(1);
  }
}

/** A COPY ... TO STDOUT query for pg's client.query(), whose stream yields runs of framed rows (see above). */
export function copyOutFrames(sql: string): CopyToStreamQuery {
  // Object mode: each run is read as the Buffer it was pushed as. In byte mode a reader's read() joins
  // everything buffered into one new Buffer (Readable's fromList): a copy of the whole export, about 90 ms
  // of CPU per million rows. 16 runs of up to a socket chunk each are buffered before the socket pauses.
  const query = copyTo(sql, { objectMode: true, highWaterMark: 16 });
  const frames = new CopyFrames();
  // The fields and methods of pg-copy-streams' CopyStreamQuery this relies on (7.0.0's copy-to.js).
  const q = query as unknown as {
    _buffer: { push(b: Buffer): void };
    _detach(): void;
    _cleanup(): void;
    push(b: Buffer | null): boolean;
    _parse(chunk: Buffer): boolean;
  };
  q._parse = (chunk: Buffer) => {
    const s = frames.split(chunk);
    let drained = true;
    for (const d of s.data) drained = q.push(d);
    if (!s.end) return drained;
    // The bytes after the COPY go back to pg's own parser (it reads the error, or the command's completion).
    if (s.rest?.length) q._buffer.push(s.rest);
    q._detach();
    if (s.end === 'done') {
      q.push(null);
      q._cleanup();
    }
    return false;
  };
  return query;
}

/**
 * Where the row of the CopyData message at p ends: its bytes are buf[p + 5, end), end at its newline. The
 * frames come from CopyFrames, so they are whole; a row not ending in a newline means the server's format
 * is not the one these readers know.
 */
export function rowEnd(buf: Buffer, p: number): number {
  const end = p + buf.readUInt32BE(p + 1);
  if (buf[end] !== 10) throw new FerryError('INTERNAL', 'A COPY row from PostgreSQL does not end in a newline');
  return end;
}
