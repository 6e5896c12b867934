import { Inflate } from 'fflate';
import { FerryError } from '../../errors';
import type { ByteSource } from '../types';

/**
 * A zip file read with ranged reads (an xlsx is one): the End Of Central Directory from the file's tail,
 * then the directory, then only the entries asked for, inflated as their bytes arrive in bounded slices.
 * A preview of a sheet's first rows therefore costs the directory, a few small entries and the start of
 * the sheet, whatever the workbook's size. ZIP64 is handled for workbooks over 4 GiB.
 */
export interface ZipEntry {
  name: string;
  method: number;
  compressedSize: number;
  size: number;
  localHeader: number;
}

/** Slices start small and double: a preview's first rows need little of a sheet, a full read few requests. */
const FIRST_SLICE = 32 * 1024;
const MAX_SLICE = 1024 * 1024;

export async function readDirectory(src: ByteSource): Promise<Map<string, ZipEntry>> {
  const bad = (why: string) => new FerryError('INVALID_INPUT', `${src.label} is not a valid xlsx (zip) file: ${why}`, { detail: { file: src.label } });
  const tailLen = Math.min(src.size, 65_557);
  const tail = Buffer.from(await src.slice(src.size - tailLen, src.size));
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tail.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw bad('its end of central directory is missing (the file is cut short, or not a zip)');
  let count = tail.readUInt16LE(eocd + 10);
  let cdSize = tail.readUInt32LE(eocd + 12);
  let cdOffset = tail.readUInt32LE(eocd + 16);
  if (cdOffset === 0xffffffff || count === 0xffff) {
    const loc = eocd - 20;
    if (loc < 0 || tail.readUInt32LE(loc) !== 0x07064b50) throw bad('a ZIP64 locator is missing');
    const recOffset = Number(tail.readBigUInt64LE(loc + 8));
    const rec = Buffer.from(await src.slice(recOffset, recOffset + 56));
    if (rec.readUInt32LE(0) !== 0x06064b50) throw bad('a ZIP64 directory record is missing');
    count = Number(rec.readBigUInt64LE(32));
    cdSize = Number(rec.readBigUInt64LE(40));
    cdOffset = Number(rec.readBigUInt64LE(48));
  }
  if (cdOffset + cdSize > src.size) throw bad('its central directory lies beyond the end of the file (cut short?)');
  const cd = Buffer.from(await src.slice(cdOffset, cdOffset + cdSize));
  const entries = new Map<string, ZipEntry>();
  let p = 0;
  for (let n = 0; n < count && p + 46 <= cd.length; n++) {
    if (cd.readUInt32LE(p) !== 0x02014b50) throw bad(`directory entry ${n + 1} is damaged`);
    const method = cd.readUInt16LE(p + 10);
    let compressedSize = cd.readUInt32LE(p + 20);
    let size = cd.readUInt32LE(p + 24);
    const nameLen = cd.readUInt16LE(p + 28);
    const extraLen = cd.readUInt16LE(p + 30);
    const commentLen = cd.readUInt16LE(p + 32);
    let localHeader = cd.readUInt32LE(p + 42);
    const name = cd.subarray(p + 46, p + 46 + nameLen).toString('utf8');
    // ZIP64 extended information: the 8-byte values that did not fit, in this order.
    let x = p + 46 + nameLen;
    const xEnd = x + extraLen;
    while (x + 4 <= xEnd) {
      const id = cd.readUInt16LE(x);
      const len = cd.readUInt16LE(x + 2);
      if (id === 0x0001) {
        let q = x + 4;
        if (size === 0xffffffff) {
          size = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(cd.readBigUInt64LE(q));
          q += 8;
        }
        if (localHeader === 0xffffffff) localHeader = Number(cd.readBigUInt64LE(q));
      }
      x += 4 + len;
    }
    entries.set(name, { name, method, compressedSize, size, localHeader });
    p = xEnd + commentLen;
  }
  return entries;
}

/** An entry's uncompressed bytes, chunk by chunk, read lazily in bounded ranged slices. */
export async function* entryChunks(src: ByteSource, e: ZipEntry, signal?: AbortSignal): AsyncGenerator<Uint8Array> {
  const lh = Buffer.from(await src.slice(e.localHeader, e.localHeader + 30));
  if (lh.length < 30 || lh.readUInt32LE(0) !== 0x04034b50) throw new FerryError('INVALID_INPUT', `${src.label}: the zip entry ${e.name} is damaged`, { detail: { file: src.label, entry: e.name } });
  const start = e.localHeader + 30 + lh.readUInt16LE(26) + lh.readUInt16LE(28);
  const end = start + e.compressedSize;
  if (end > src.size) throw new FerryError('INVALID_INPUT', `${src.label}: the zip entry ${e.name} runs past the end of the file (cut short?)`, { detail: { file: src.label, entry: e.name } });
  if (e.method !== 0 && e.method !== 8) throw new FerryError('UNSUPPORTED', `${src.label}: the zip entry ${e.name} uses compression method ${e.method}; save the workbook again from Excel`, { detail: { file: src.label } });
  const out: Uint8Array[] = [];
  const inflate = e.method === 8 ? new Inflate((chunk) => void out.push(chunk)) : null;
  for (let at = start, slice = FIRST_SLICE; at < end; slice = Math.min(MAX_SLICE, slice * 2)) {
    signal?.throwIfAborted();
    const to = Math.min(end, at + slice);
    const bytes = await src.slice(at, to);
    at = to;
    if (!inflate) {
      yield bytes;
      continue;
    }
    try {
      inflate.push(bytes, at >= end);
    } catch (err) {
      throw new FerryError('INVALID_INPUT', `${src.label}: the zip entry ${e.name} does not inflate (${(err as Error).message})`, { detail: { file: src.label, entry: e.name } });
    }
    while (out.length) yield out.shift()!;
  }
}

/** A whole (small) entry as text. */
export async function entryText(src: ByteSource, e: ZipEntry, signal?: AbortSignal): Promise<string> {
  const dec = new TextDecoder('utf-8');
  let s = '';
  for await (const c of entryChunks(src, e, signal)) s += dec.decode(c, { stream: true });
  return s + dec.decode();
}
