import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { expect } from 'vitest';
import type { ErrorCode } from '../../shared/errors';
import type { HashType } from '../../shared/connectors';
import type { Connector } from '../../electron/core/connectors/types';
import { FerryError } from '../../electron/core/errors';

/** A stream of `data` in 64 KiB chunks, the way a real source delivers it (not one giant chunk). */
export function streamOf(data: Buffer | string, chunkSize = 64 * 1024): Readable {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  function* chunks() {
    for (let i = 0; i < buf.length; i += chunkSize) yield buf.subarray(i, i + chunkSize);
  }
  return Readable.from(chunks(), { objectMode: false });
}

export async function collect(stream: Readable): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const chunk of stream) parts.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk));
  return Buffer.concat(parts);
}

/** Pseudo-random bytes: incompressible, so a connector cannot pass by accident with repeated data. */
export function randomData(size: number): Buffer {
  return randomBytes(size);
}

/** Writes `data` at `path` (size declared), returning the connector's result. */
export function put(c: Connector, path: string, data: Buffer | string, opts: { modified?: Date } = {}) {
  const buf = typeof data === 'string' ? Buffer.from(data) : data;
  return c.write(path, streamOf(buf), { size: buf.length, ...opts });
}

export async function readAll(c: Connector, path: string, opts?: { start?: number; end?: number }): Promise<Buffer> {
  return collect(await c.read(path, opts));
}

/**
 * Expects `action` to fail with a FerryError of `code`. read() may fail when called or when its stream is
 * consumed (a lazy open), so the action should consume any stream it gets.
 */
export async function expectCode(action: () => Promise<unknown>, code: ErrorCode): Promise<void> {
  let error: unknown;
  try {
    await action();
  } catch (e) {
    error = e;
  }
  expect(error, `expected a FerryError ${code}, but the call succeeded`).toBeDefined();
  expect(error, `expected a FerryError ${code}, got ${String(error)}`).toBeInstanceOf(FerryError);
  expect((error as FerryError).code, (error as FerryError).message).toBe(code);
}

/** Hashes as Ferry reports them: lowercase hex (crc32c as 8 hex digits, big-endian). */
export function hashOf(type: HashType, data: Buffer): string {
  if (type === 'crc32c') return crc32c(data).toString(16).padStart(8, '0');
  return createHash(type).update(data).digest('hex');
}

let crcTable: Uint32Array | undefined;
function crc32c(data: Buffer): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let crc = 0xffffffff;
  for (const byte of data) crc = crcTable[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

export function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * Runs `fn` over `items`, one item at a time per worker (e.g. one connector each: like the engine's pool,
 * the suite never calls one connector concurrently, since one connector may be one FTP connection).
 */
export async function eachWith<W, T>(workers: W[], items: T[], fn: (worker: W, item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    workers.map(async (worker) => {
      while (next < items.length) await fn(worker, items[next++]);
    }),
  );
}

/** Runs `fn` over `items` with at most `limit` in flight (for tests of a connector's own concurrency). */
export async function inParallel<T>(items: T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
