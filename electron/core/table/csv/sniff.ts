import { gunzipSync, constants as zlib } from 'node:zlib';
import { TextDecoder } from 'node:util';
import { iconv } from './iconv';
import type { CsvDialect, ReadOptions, TableWarning } from '../types';
import { CsvTokenizer, type CsvRecord } from './tokenizer';

/**
 * Dialect sniffing as small steps over the file's head (DuckDB's sniffer: candidates, then the one with
 * consistent field counts), each reported in the dialect and each overridable by ReadOptions.
 */
export const HEAD_BYTES = 256 * 1024;
export const MAX_FIELD = 16 * 1024 * 1024;
const DELIMITERS = [',', ';', '\t', '|'];
const QUOTES = ['"', "'"];

export interface Encoding {
  encoding: string;
  bom: boolean;
}

/**
 * BOM first, then: a UTF-16 pattern of zero bytes; UTF-8 when the head is valid UTF-8, or mostly so (a
 * broken line in a UTF-8 file is reported by the reader with its line number; read as Windows-1252, every
 * accent of the whole file would turn into two wrong characters); else Windows-1252 (which Latin-1 text
 * also reads as).
 */
export function detectEncoding(head: Uint8Array): Encoding {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: true };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: true };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: true };
  const n = Math.min(head.length, 4096);
  let evenZeros = 0;
  let oddZeros = 0;
  for (let i = 0; i < n; i++) {
    if (head[i] !== 0) continue;
    if (i % 2) oddZeros++;
    else evenZeros++;
  }
  if (oddZeros > n / 8 && evenZeros < n / 64) return { encoding: 'utf-16le', bom: false };
  if (evenZeros > n / 8 && oddZeros < n / 64) return { encoding: 'utf-16be', bom: false };
  const { multiByte, invalid } = utf8Shape(head);
  return { encoding: invalid === 0 || multiByte >= 4 * invalid ? 'utf-8' : 'windows-1252', bom: false };
}

/**
 * Counts the head's well-formed multi-byte UTF-8 sequences and the bytes that cannot start or continue
 * one. A sequence cut off by the end of the head is neither. Windows-1252 text with accents is almost all
 * invalid (an accent byte followed by ASCII); UTF-8 text with one broken line is almost all well-formed.
 */
function utf8Shape(b: Uint8Array): { multiByte: number; invalid: number } {
  let multiByte = 0;
  let invalid = 0;
  for (let i = 0; i < b.length; ) {
    const c = b[i];
    if (c < 0x80) {
      i++;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) {
      invalid++;
      i++;
      continue;
    }
    if (i + need >= b.length) break;
    let ok = true;
    for (let j = 1; j <= need; j++) if ((b[i + j] & 0xc0) !== 0x80) ok = false;
    // Overlong forms, UTF-16 surrogates and code points past U+10FFFF (E0 80-9F, ED A0-BF, F0 80-8F, F4 90-BF) are not UTF-8.
    if (ok && ((c === 0xe0 && b[i + 1] < 0xa0) || (c === 0xed && b[i + 1] > 0x9f) || (c === 0xf0 && b[i + 1] < 0x90) || (c === 0xf4 && b[i + 1] > 0x8f))) ok = false;
    if (ok) {
      multiByte++;
      i += need + 1;
    } else {
      invalid++;
      i++;
    }
  }
  return { multiByte, invalid };
}

/** A TextDecoder label for a user's or a detected encoding (WHATWG reads latin1 as Windows-1252). */
export interface TextDecoderLike {
  decode(input?: Uint8Array, options?: { stream?: boolean }): string;
}

/**
 * A decoder for the file's encoding. Windows-1252 (and Latin-1, which WHATWG reads as it) through
 * iconv-lite: outside streaming mode Node 20's TextDecoder reads 'windows-1252' as ISO-8859-1, so
 * 0x80-0x9F (€, curly quotes, dashes, Œ) in a sniffed header came out as control characters. One byte is
 * one character: no state between chunks.
 */
export function decoderFor(encoding: string): TextDecoderLike {
  if (encoding === 'windows-1252' || encoding === 'latin1') {
    return { decode: (b) => (b && b.length ? iconv().decode(Buffer.from(b.buffer, b.byteOffset, b.length), 'windows-1252') : '') };
  }
  try {
    return new TextDecoder(encoding, { fatal: false });
  } catch {
    throw new RangeError(`unknown encoding ${encoding}`);
  }
}

/** The decompressed start of a gzip file (from a bounded slice of it; a cut stream is fine). */
export function gunzipHead(bytes: Uint8Array): Uint8Array {
  return gunzipSync(bytes, { finishFlush: zlib.Z_SYNC_FLUSH }).subarray(0, HEAD_BYTES);
}

export interface Sniffed {
  dialect: CsvDialect;
  /** The head's complete records, for the header and type steps. */
  records: CsvRecord[];
  warnings: TableWarning[];
}

/**
 * Records each candidate dialect is scored on: enough to see a consistent field count (and a ragged row or
 * two); tokenizing the whole sample for each of up to eight candidates was most of a CSV preview's CPU.
 */
const SNIFF_RECORDS = 300;

function tokenize(text: string, delimiter: string, quote: string, escape: string, complete: boolean, max = 2000): CsvRecord[] {
  const t = new CsvTokenizer({ delimiter, quote, escape, maxField: MAX_FIELD });
  const out: CsvRecord[] = [];
  try {
    // In pieces, to stop once `max` records are in: each candidate dialect tokenizes the head.
    const piece = 16 * 1024;
    let at = 0;
    for (; at < text.length && out.length <= max; at += piece) t.push(text.slice(at, at + piece), out);
    if (complete && at >= text.length) t.end(out);
  } catch {
    // An unterminated quote in the head: this candidate is scored on what it parsed.
  }
  return out.slice(0, max);
}

/** Field-count consistency of a candidate: the modal count and the share of records that have it. */
function score(records: CsvRecord[]): { cols: number; share: number } {
  if (records.length === 0) return { cols: 0, share: 0 };
  const counts = new Map<number, number>();
  for (const r of records) counts.set(r.fields.length, (counts.get(r.fields.length) ?? 0) + 1);
  let cols = 0;
  let best = 0;
  for (const [c, k] of counts) {
    if (k > best || (k === best && c > cols)) {
      cols = c;
      best = k;
    }
  }
  return { cols, share: best / records.length };
}

/**
 * @param text the decoded head, cut at its last line end unless `complete` (the whole file)
 */
export function sniff(text: string, complete: boolean, enc: Encoding, gzip: boolean, opts: ReadOptions): Sniffed {
  const lineEnding = /\r\n/.test(text.slice(0, 65536)) ? '\r\n' : /\r(?!\n)/.test(text.slice(0, 65536)) && !/\n/.test(text.slice(0, 65536)) ? '\r' : '\n';
  const escape0 = opts.escape;
  let best: { delimiter: string; quote: string; cols: number; share: number; headerFits: number; records: CsvRecord[] } | null = null;
  for (const delimiter of opts.delimiter ? [opts.delimiter] : DELIMITERS) {
    // A quote character the head never contains quotes nothing: trying it would only add a candidate that
    // splits quoted fields at their delimiters (and wins ties by having more columns).
    for (const quote of opts.quote ? [opts.quote] : QUOTES.filter((q, i) => i === 0 || text.includes(q))) {
      const escape = escape0 ?? quote;
      const records = tokenize(text, delimiter, quote, escape, complete, SNIFF_RECORDS);
      const s = { ...score(records), headerFits: 0 };
      s.headerFits = records[0]?.fields.length === s.cols ? 1 : 0;
      const share = (x: { share: number }) => Math.round(x.share * 20);
      // Ranked by: more than one column; consistent field counts (5% tolerance for ragged rows); a first
      // row (the header) with the common count; then more columns.
      const better =
        !best ||
        (s.cols > 1 && best.cols <= 1) ||
        (s.cols > 1 === best.cols > 1 &&
          (share(s) > share(best) ||
            (share(s) === share(best) && (s.headerFits > best.headerFits || (s.headerFits === best.headerFits && s.cols > best.cols)))));
      if (better) best = { delimiter, quote, ...s, records };
    }
  }
  const chosen = best!;
  const delimiter = chosen.cols > 1 || opts.delimiter ? chosen.delimiter : ',';
  // Backslash escapes: seen (\") and no doubled quotes in the head.
  const escape = escape0 ?? (text.includes(`\\${chosen.quote}`) && !text.includes(chosen.quote + chosen.quote) ? '\\' : chosen.quote);
  // The chosen dialect's records, up to the type sample's 2000 (the candidates had only the first SNIFF_RECORDS).
  const whole = chosen.records.length < SNIFF_RECORDS;
  const records = whole && escape === chosen.quote && delimiter === chosen.delimiter ? chosen.records : tokenize(text, delimiter, chosen.quote, escape, complete);
  const decimalComma = delimiter === ';' && /(^|;)-?\d+,\d+(;|$)/m.test(text.slice(0, 65536));
  return {
    dialect: { delimiter, quote: chosen.quote, escape, header: opts.header ?? true, lineEnding, encoding: enc.encoding, bom: enc.bom, gzip, decimalComma },
    records,
    warnings: [],
  };
}
