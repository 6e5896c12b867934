import type { AsyncBuffer } from 'hyparquet';
import { FerryError } from '../../errors';
import type { ByteSource } from '../types';

/**
 * hyparquet's AsyncBuffer over a ByteSource. Two things beyond a plain adapter:
 *  - pinned blocks: bytes already fetched (the offset indexes of a row group, or a whole row group that is
 *    decoded in several slices) are served from memory, so hyparquet's many small reads cost one fetch;
 *  - failures of the source itself (a lost connection) are wrapped in SourceFailure so the reader can tell
 *    them from hyparquet's decoding errors and rethrow them as they were, not as "corrupt file".
 */
export class SourceFailure extends Error {
  constructor(readonly original: unknown) {
    super('source read failed');
  }
}

interface Block {
  key: number;
  start: number;
  end: number;
  bytes: Uint8Array;
}

export class SourceBuffer implements AsyncBuffer {
  readonly byteLength: number;
  private pinned: Block[] = [];
  /** The file's tail read for the footer: small files and offset indexes next to the footer are served from it. */
  private tail: Block | null = null;

  constructor(readonly src: ByteSource) {
    this.byteLength = src.size;
  }

  /** Reads [start, end) and keeps it in memory until unpin(key); later slices inside it cost nothing. */
  async pin(key: number, start: number, end: number): Promise<void> {
    if (this.tail && start >= this.tail.start && end <= this.tail.end) return;
    const bytes = await this.read(start, end);
    this.pinned.push({ key, start, end, bytes });
  }

  keepTail(start: number, bytes: Uint8Array): void {
    this.tail = { key: -1, start, end: start + bytes.length, bytes };
  }

  /** Drops the blocks pinned under `key`, or all of them. */
  unpin(key?: number): void {
    this.pinned = key === undefined ? [] : this.pinned.filter((b) => b.key !== key);
  }

  async slice(start: number, end: number = this.byteLength): Promise<ArrayBuffer> {
    return toArrayBuffer(await this.bytes(start, end));
  }

  /** [start, end) from a pinned block (a view, no copy) or from the source. */
  async bytes(start: number, end: number): Promise<Uint8Array> {
    return this.held(start, end) ?? (await this.read(start, end));
  }

  /** [start, end) when it is already in memory. */
  held(start: number, end: number): Uint8Array | null {
    for (const b of this.tail ? [this.tail, ...this.pinned] : this.pinned) {
      if (start >= b.start && end <= b.end) return b.bytes.subarray(start - b.start, end - b.start);
    }
    return null;
  }

  /** The bytes, or a FerryError when the file is shorter than its own footer says. */
  async read(start: number, end: number): Promise<Uint8Array> {
    end = Math.min(end, this.byteLength);
    let bytes: Uint8Array;
    try {
      bytes = await this.src.slice(start, end);
    } catch (e) {
      throw new SourceFailure(e);
    }
    if (bytes.length !== end - start) {
      throw new SourceFailure(
        new FerryError('INVALID_INPUT', `${this.src.label}: read ${bytes.length} bytes at offset ${start} where ${end - start} were expected (did the file change while it was read?)`, {
          detail: { file: this.src.label, offset: start },
        }),
      );
    }
    return bytes;
  }
}

/** Source failures (a lost connection, a vanished file) pass through as they were. */
export async function unwrapSource<T>(p: Promise<T>): Promise<T> {
  try {
    return await p;
  } catch (e) {
    throw e instanceof SourceFailure ? e.original : e;
  }
}

/** hyparquet wants an ArrayBuffer holding exactly the slice; a view into a larger buffer is copied. */
function toArrayBuffer(u8: Uint8Array): ArrayBuffer {
  if (u8.byteOffset === 0 && u8.byteLength === u8.buffer.byteLength && u8.buffer instanceof ArrayBuffer) return u8.buffer;
  const copy = new Uint8Array(u8.byteLength); // not u8.slice(): on a Buffer that is a view into the same pool
  copy.set(u8);
  return copy.buffer;
}
