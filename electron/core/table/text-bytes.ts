import { isAscii } from 'node:buffer';
import type { TextBytes, Value } from './types';

/**
 * A text column kept as the UTF-8 bytes it was read from (a Parquet file's PLAIN pages), so that a writer
 * of UTF-8 (the CSV writer) copies the bytes and no string is made per value: making a million strings
 * and collecting them was a fifth of a Parquet → CSV conversion. Anyone else reading `values` gets the
 * strings, decoded once on first use.
 */
export class TextVector {
  readonly kind = 'values' as const;
  #values: Value[] | undefined;

  constructor(readonly text: TextBytes) {}

  get values(): Value[] {
    return (this.#values ??= decodeText(this.text));
  }

  /** Rows [at, at + n), sharing the bytes. */
  slice(at: number, n: number): TextVector {
    const t = this.text;
    return new TextVector({ bytes: t.bytes, starts: t.starts.subarray(at, at + n), ends: t.ends.subarray(at, at + n), ascii: t.ascii });
  }
}

/**
 * The strings, made from windows of about 64 KiB: an ASCII window is one Latin-1 string and each value a
 * slice of it (no UTF-8 decoder per value), other windows are decoded value by value (invalid UTF-8 as
 * U+FFFD, as TextDecoder does); windows, not the whole buffer, because V8 makes strings over
 * about 256 KiB many times slower per byte.
 */
export function decodeText(t: TextBytes): Value[] {
  const { bytes, starts, ends } = t;
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Array<Value>(starts.length);
  let from = 0;
  let to = 0;
  let whole: string | null = null;
  for (let i = 0; i < starts.length; i++) {
    const s = starts[i];
    if (s < 0) {
      out[i] = null;
      continue;
    }
    const e = ends[i];
    if (s < from || e > to) {
      from = s;
      to = Math.min(buf.length, Math.max(e, s + WINDOW));
      whole = t.ascii || isAscii(buf.subarray(from, to)) ? buf.toString('latin1', from, to) : null;
    }
    out[i] = whole !== null ? whole.slice(s - from, e - from) : buf.toString('utf8', s, e);
  }
  return out;
}

const WINDOW = 64 * 1024;
