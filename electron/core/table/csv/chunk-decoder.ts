import { isAscii } from 'node:buffer';
import { TextDecoder } from 'node:util';
import { decoderFor, type TextDecoderLike } from './sniff';

/**
 * A file's chunks as text, for the CSV reader. Most CSV chunks are pure ASCII, and in every encoding the
 * reader decodes byte by byte (UTF-8, Windows-1252, Latin-1) ASCII bytes are the same characters: such a
 * chunk becomes a one-byte string by a copy (Latin-1), checked by a SIMD scan, instead of going through
 * the UTF-8 decoder (a tenth of a CSV → Parquet conversion). Other chunks go through TextDecoder as
 * before, and so does any chunk after one that ended inside a multi-byte sequence (its decoder holds it).
 */
export class ChunkDecoder {
  private decoder: TextDecoderLike | null = null;
  private started = false;
  /** The last chunk may have ended inside a UTF-8 sequence that the decoder keeps for the next one. */
  private pending = false;
  private readonly asciiCompatible: boolean;
  /** Whether the last chunk was pure ASCII (then it cannot hold an invalid byte). */
  lastWasAscii = false;

  constructor(private readonly encoding: string) {
    this.asciiCompatible = encoding === 'utf-8' || encoding === 'windows-1252' || encoding === 'latin1';
  }

  decode(chunk: Buffer): string {
    if (chunk.length === 0) return '';
    this.lastWasAscii = this.asciiCompatible && !this.pending && isAscii(chunk);
    if (this.lastWasAscii) {
      this.started = true;
      return chunk.toString('latin1');
    }
    // A byte-order mark is dropped only at the file's very start, as TextDecoder alone would do.
    this.decoder ??= this.started && this.encoding === 'utf-8' ? new TextDecoder('utf-8', { ignoreBOM: true }) : decoderFor(this.encoding);
    this.started = true;
    const text = this.decoder.decode(chunk, { stream: true });
    this.pending = this.encoding === 'utf-8' ? endsInsideSequence(chunk) : !this.asciiCompatible;
    return text;
  }

  /** What the decoder still holds at the end of the file (an incomplete sequence becomes U+FFFD). */
  end(): string {
    return this.decoder ? this.decoder.decode() : '';
  }
}

/** Whether the last bytes start a UTF-8 sequence longer than what follows its lead byte. */
function endsInsideSequence(b: Uint8Array): boolean {
  for (let k = 1; k <= 3 && k <= b.length; k++) {
    const c = b[b.length - k];
    if (c < 0x80) return false;
    if (c >= 0xc0) return (c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : 2) > k;
  }
  return false;
}
