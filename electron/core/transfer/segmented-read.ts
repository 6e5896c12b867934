import { Readable } from 'node:stream';
import type { Connector } from '../connectors/types';
import type { EndpointProvider, Lease } from '../endpoints';
import { FerryError } from '../errors';
import { asFerryError, breaksConnection } from './retry';

/** When a file is read in segments (jobs with streams > 1, sources that declare parallelReads), and how. */
export interface SegmentSettings {
  /** Files from this size on. */
  minBytes: number;
  segmentBytes: number;
}

export const DEFAULT_SEGMENTS: SegmentSettings = { minBytes: 64 * 1024 * 1024, segmentBytes: 16 * 1024 * 1024 };

export interface SegmentedReadOptions {
  endpoints: EndpointProvider;
  endpoint: string;
  /** The connector the task already holds; extra ones are borrowed only if free right now. */
  first: Connector;
  path: string;
  start: number;
  /** Exclusive: the file's size. */
  end: number;
  signal: AbortSignal;
  settings: SegmentSettings;
  /** Connections at most, the task's own included. */
  streams: number;
}

/**
 * Reads [start, end) of one file as ranges on up to `streams` connections of the source's pool at once (as
 * `lftp pget -n 4` or rclone's multi-thread download do) and hands the bytes on in order, so the
 * destination, the md5 and the meter see one ordinary stream. At most one segment per connection, plus the
 * one being handed on, is held in memory (16 MiB each by default).
 */
export async function segmentedRead(o: SegmentedReadOptions): Promise<Readable> {
  const extra: Lease[] = [];
  const { segmentBytes } = o.settings;
  const wanted = Math.min(o.streams, o.endpoints.capabilities(o.endpoint).maxConnections, Math.ceil((o.end - o.start) / segmentBytes));
  for (let i = 1; i < wanted && o.endpoints.tryAcquire; i++) {
    const lease = await o.endpoints.tryAcquire(o.endpoint, o.signal).catch(() => null);
    if (!lease) break;
    extra.push(lease);
  }
  return Readable.from(ordered(o, extra), { objectMode: false });
}

async function* ordered(o: SegmentedReadOptions, extra: Lease[]): AsyncGenerator<Buffer> {
  const ac = new AbortController();
  const onAbort = () => ac.abort();
  o.signal.addEventListener('abort', onAbort, { once: true });
  const free: Connector[] = [o.first, ...extra.map((l) => l.connector)];
  const broken = new Set<Connector>();
  const size = o.settings.segmentBytes;
  const count = Math.ceil((o.end - o.start) / size);
  const inFlight: Array<Promise<Buffer[]>> = [];
  let launched = 0;
  let handedOn = 0;
  /** The first segment's failure: it stopped the others. */
  let cause: unknown = null;

  const readSegment = async (c: Connector, k: number): Promise<Buffer[]> => {
    const from = o.start + k * size;
    const to = Math.min(o.end, from + size);
    try {
      const chunks: Buffer[] = [];
      let got = 0;
      for await (const chunk of await c.read(o.path, { start: from, end: to, signal: ac.signal })) {
        chunks.push(chunk as Buffer);
        got += (chunk as Buffer).length;
      }
      if (got !== to - from) {
        throw new FerryError('CONNECTION_LOST', `Reading ${o.path}: bytes ${from}-${to} came back as ${got} bytes (did the file change?)`, { retryable: true, detail: { path: o.path } });
      }
      return chunks;
    } catch (e) {
      if (breaksConnection(e)) broken.add(c);
      throw asFerryError(e);
    } finally {
      free.push(c);
      launch();
    }
  };
  // Segments start in order, each on a free connection, never more than one per connection ahead of the
  // segment being handed on: memory stays bounded however slow the destination is.
  function launch(): void {
    while (!ac.signal.aborted && free.length && launched < count && launched - handedOn <= extra.length + 1) {
      const p = readSegment(free.pop() as Connector, launched++);
      p.catch((e: unknown) => {
        cause ??= e;
        ac.abort();
      });
      inFlight.push(p);
    }
  }

  try {
    launch();
    while (handedOn < count) {
      // A segment before the one that failed may have been stopped by that failure (CANCELLED): the failure
      // itself is what the file's try reports (a dropped connection is retried, a cancel is not).
      const chunks = await (inFlight.shift() as Promise<Buffer[]>).catch((e: unknown) => {
        throw cause && !o.signal.aborted ? cause : e;
      });
      handedOn++;
      launch();
      yield* chunks;
    }
  } finally {
    ac.abort();
    o.signal.removeEventListener('abort', onAbort);
    await Promise.allSettled(inFlight);
    for (const l of extra) l.release(broken.has(l.connector));
  }
}
