import { open } from 'node:fs/promises';
import { pipeline, Readable, Transform } from 'node:stream';
import { basename } from '../../../shared/paths';
import type { Entry } from '../../../shared/connectors';
import type { Connector } from '../connectors/types';
import type { EndpointProvider, Lease } from '../endpoints';
import { FerryError } from '../errors';
import { withConnector } from '../transfer/leases';
import { breaksConnection } from '../transfer/retry';
import type { ByteSource } from './types';

/**
 * The one adapter from Ferry's connectors to the table layer's bytes (hyparquet's AsyncBuffer idea): every
 * format reads through slice() and stream(), so a remote Parquet footer or xlsx directory costs one ranged
 * read on any connector that has them. Where a connector cannot read ranges, slice() streams from the start
 * and discards (said in `rangedRead`, and shown by the preview as bytes read).
 *
 * This one borrows a connector from the endpoint's pool for each read (previews, which browsing shares).
 */
export async function connectorByteSource(endpoints: EndpointProvider, endpoint: string, path: string, signal?: AbortSignal): Promise<ByteSource> {
  const entry = await withConnector(endpoints, endpoint, (c) => c.stat(path), signal);
  const borrow: Borrow = async (fn, sig) => {
    const lease = await endpoints.acquire(endpoint, sig ?? signal);
    return fn(lease.connector, (broken) => lease.release(broken));
  };
  const caps = endpoints.capabilities(endpoint);
  const forSlice = caps.sharedReads ? sharedLease(endpoints, endpoint, signal) : oneAtATime(borrow);
  return makeSource(borrow, path, entry, `${endpoints.label(endpoint)}:${path}`, caps.rangedRead, signal, forSlice);
}

/**
 * Ranged reads one after another: readers ask for several at once (a Parquet preview, one per column),
 * and each read at the same time would take a connection of its own from the pool. A new SFTP connection
 * costs the server a fork, a key exchange and an authentication (0.16 s here); a small read on the one
 * already open costs a round trip.
 */
function oneAtATime(borrow: Borrow): Borrow {
  let last: Promise<unknown> = Promise.resolve();
  return (fn, sig) => {
    const run = last.then(() => borrow(fn, sig));
    last = run.catch(() => {});
    return run;
  };
}

/**
 * Reads at the same time on one lease, for connectors that serve several at once (capabilities.sharedReads:
 * the object stores' HTTP clients, the local disk): a Parquet preview's column reads go out together
 * rather than a round trip each. The lease is taken by the first read and given back when the last one in
 * flight ends (as broken if any of them broke it).
 */
function sharedLease(endpoints: EndpointProvider, endpoint: string, signal?: AbortSignal): Borrow {
  let lease: Promise<Lease> | null = null;
  let users = 0;
  let broken = false;
  return async (fn, sig) => {
    users++;
    try {
      lease ??= endpoints.acquire(endpoint, sig ?? signal);
      const { connector } = await lease;
      return await fn(connector, (b) => {
        broken ||= b;
      });
    } finally {
      if (--users === 0 && lease) {
        const done = lease;
        const wasBroken = broken;
        lease = null;
        broken = false;
        done.then((l) => l.release(wasBroken), () => {});
      }
    }
  };
}

/** Over a connector the caller already holds (a job's lease), for as long as the caller holds it. */
export function heldByteSource(c: Connector, path: string, entry: Entry, label: string, signal?: AbortSignal): ByteSource {
  const borrow: Borrow = (fn) => fn(c, () => {});
  return makeSource(borrow, path, entry, label, c.capabilities.rangedRead, signal);
}

type Borrow = <T>(fn: (c: Connector, release: (broken: boolean) => void) => Promise<T>, signal?: AbortSignal) => Promise<T>;

/** borrowForSlice: how slice() borrows (stream() holds its connector while read, and borrows as it is). */
function makeSource(borrow: Borrow, path: string, entry: Entry, label: string, ranged: boolean, signal?: AbortSignal, borrowForSlice: Borrow = borrow): ByteSource {
  if (entry.type !== 'file') throw new FerryError('IS_A_DIRECTORY', `${label} is a folder, not a file`, { detail: { path } });
  let bytesRead = 0;
  const count = (s: Readable): Readable => counted(s, (n) => (bytesRead += n));
  return {
    name: basename(path),
    label,
    size: entry.size,
    rangedRead: ranged,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start, end) {
      end = Math.min(end, entry.size);
      if (end <= start) return new Uint8Array(0);
      return borrowForSlice(async (c, release) => {
        let broken = false;
        try {
          const s = await c.read(path, ranged ? { start, end, signal } : { signal });
          return await collect(count(s), ranged ? 0 : start, end - start, !ranged);
        } catch (e) {
          broken = breaksConnection(e);
          throw e;
        } finally {
          release(broken);
        }
      });
    },
    async stream(start = 0, streamSignal) {
      const sig = streamSignal ?? signal;
      // Held for as long as the stream is read: the connector goes back when the stream ends or is destroyed.
      return borrow(async (c, release) => {
        let released = false;
        const done = (broken: boolean) => !released && ((released = true), release(broken));
        try {
          const s = await c.read(path, start > 0 && ranged ? { start, signal: sig } : { signal: sig });
          s.once('end', () => done(false));
          s.once('error', () => done(true));
          s.once('close', () => done(!s.readableEnded));
          const counter = count(s);
          return start > 0 && !ranged ? skipBytes(counter, start) : counter;
        } catch (e) {
          done(breaksConnection(e));
          throw e;
        }
      }, sig);
    },
  };
}

/** Bytes of a local file or a Buffer, for tests and local previews without a connector. */
export function bufferByteSource(name: string, data: Uint8Array): ByteSource {
  let bytesRead = 0;
  return {
    name,
    label: name,
    size: data.length,
    rangedRead: true,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start, end) {
      const s = data.subarray(start, Math.min(end, data.length));
      bytesRead += s.length;
      return s;
    },
    async stream(start = 0) {
      const s = data.subarray(start);
      bytesRead += s.length;
      return Readable.from([Buffer.from(s.buffer, s.byteOffset, s.length)], { objectMode: false });
    },
  };
}

/** A local file read with positioned reads (no connector, no pool): for tests and benchmarks. */
export async function fileByteSource(path: string): Promise<ByteSource> {
  const fh = await open(path, 'r');
  const { size } = await fh.stat();
  await fh.close();
  let bytesRead = 0;
  const { createReadStream } = await import('node:fs');
  return {
    name: basename(path.replace(/\\/g, '/')),
    label: path,
    size,
    rangedRead: true,
    get bytesRead() {
      return bytesRead;
    },
    async slice(start, end) {
      end = Math.min(end, size);
      if (end <= start) return new Uint8Array(0);
      const h = await open(path, 'r');
      try {
        const buf = Buffer.allocUnsafe(end - start);
        const { bytesRead: n } = await h.read(buf, 0, end - start, start);
        bytesRead += n;
        return buf.subarray(0, n);
      } finally {
        await h.close();
      }
    },
    async stream(start = 0) {
      return counted(createReadStream(path, { start, highWaterMark: 1 << 20 }), (n) => (bytesRead += n));
    },
  };
}

/**
 * Counts the bytes that pass, keeping backpressure: a 'data' listener on the source would switch it to
 * flowing mode and read the whole file whether or not anyone consumes it.
 */
function counted(s: Readable, add: (n: number) => void): Readable {
  const t = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      add(chunk.length);
      cb(null, chunk);
    },
  });
  pipeline(s, t, () => {});
  return t;
}

async function collect(s: Readable, skip: number, length: number, stopEarly: boolean): Promise<Uint8Array> {
  const out = Buffer.allocUnsafe(length);
  let pos = -skip;
  let filled = 0;
  try {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      const from = Math.max(0, -pos);
      const to = Math.min(chunk.length, length - pos);
      if (to > from) {
        chunk.copy(out, pos + from, from, to);
        filled = Math.max(filled, pos + to);
      }
      pos += chunk.length;
      if (stopEarly && pos >= length) break;
    }
  } finally {
    s.destroy();
  }
  return out.subarray(0, filled);
}

function skipBytes(s: Readable, n: number): Readable {
  let left = n;
  async function* gen() {
    for await (const chunk of s as AsyncIterable<Buffer>) {
      if (left >= chunk.length) {
        left -= chunk.length;
        continue;
      }
      yield left > 0 ? chunk.subarray(left) : chunk;
      left = 0;
    }
  }
  return Readable.from(gen(), { objectMode: false });
}
