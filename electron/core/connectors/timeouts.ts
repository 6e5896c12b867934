import { Transform, type Readable } from 'node:stream';
import { FerryError } from '../errors';
import type { Connector, ReadOptions, WriteOptions, WriteResult } from './types';

/**
 * How long a connector call may take before it counts as hung (ms). A call is one request or a few (a stat, a
 * folder); a listing and a recursive delete are many, a server-side copy or a hash reads a whole file there.
 * Streams have no overall limit, only `idleMs`: no byte for that long while the other side waits for one.
 */
export interface ConnectorTimeouts {
  callMs: number;
  longCallMs: number;
  idleMs: number;
}

export const DEFAULT_TIMEOUTS: ConnectorTimeouts = { callMs: 60_000, longCallMs: 600_000, idleMs: 120_000 };

const SHORT_CALLS = ['home', 'stat', 'mkdir', 'remove', 'rename', 'setModTime'] as const;
const LONG_CALLS = ['list', 'rmdir', 'copy', 'hash'] as const;

/**
 * The connector with a timeout on every call, so a server that stops answering (a dead link, a frozen
 * process) fails as a retryable TIMEOUT naming the call, the path and the endpoint instead of hanging a job
 * for ever. The engine then drops that connection (TIMEOUT breaks it) and retries on a fresh one.
 * A reader paused by its consumer (a throttle, a slow destination, a preview page not asked for yet) is
 * never timed out: only a stream that was asked for bytes and got none.
 */
export function withTimeouts(c: Connector, where: string, t: ConnectorTimeouts = DEFAULT_TIMEOUTS): Connector {
  const own = c as unknown as Record<string, unknown>;
  const timed: Record<string, unknown> = {};
  const bind = (name: string, ms: number) => {
    const fn = own[name];
    if (typeof fn !== 'function') return;
    timed[name] = (...args: unknown[]) => deadline(fn.apply(c, args) as Promise<unknown>, ms, () => hung(`${name} ${String(args[0] ?? '')}`, where, ms));
  };
  for (const name of SHORT_CALLS) bind(name, t.callMs);
  for (const name of LONG_CALLS) bind(name, t.longCallMs);
  timed.read = async (path: string, opts?: ReadOptions) => {
    const stream = await deadline(c.read(path, opts), t.callMs, () => hung(`open ${path}`, where, t.callMs));
    return watchReader(stream, t.idleMs, () => hung(`read ${path} (no data)`, where, t.idleMs));
  };
  timed.write = (path: string, source: Readable, opts?: WriteOptions) => watchedWrite(c, path, source, opts, t, where);
  // Everything else (capabilities, tables, close) is the connector's own, called on it.
  return new Proxy(c, {
    get(target, prop) {
      if (typeof prop === 'string' && prop in timed) return timed[prop];
      const v = Reflect.get(target, prop, target);
      return typeof v === 'function' ? v.bind(target) : v;
    },
  });
}

function hung(what: string, where: string, ms: number): FerryError {
  return new FerryError('TIMEOUT', `Timed out after ${Math.round(ms / 1000)} s: ${what} on ${where}`, { detail: { operation: what, endpoint: where, timeoutMs: ms } });
}

/** The promise, or `error()` once `ms` passed without it settling. */
function deadline<T>(p: Promise<T>, ms: number, error: () => FerryError): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(error()), ms);
    timer.unref();
  });
  return Promise.race([p, late]).finally(() => clearTimeout(timer));
}

/** Every few seconds (or idleMs / 4 when shorter): how often the watchdogs look. */
const tick = (idleMs: number) => Math.max(10, Math.min(5_000, idleMs / 4));

/**
 * Destroys the stream with `error()` when its consumer asked for bytes (Node called the stream's _read: the
 * consumer is reading and the buffer is below its mark) and none came for `idleMs`. A consumer that does not
 * read (paused, throttled, a preview page not asked for yet) asks for nothing, so it is never timed out.
 * Watches the stream's own _read and push: nothing is copied.
 */
function watchReader(stream: Readable, idleMs: number, error: () => FerryError): Readable {
  let askedAt = 0;
  const read = stream._read.bind(stream);
  stream._read = (n: number) => {
    if (!askedAt) askedAt = Date.now();
    read(n);
  };
  const push = stream.push.bind(stream);
  stream.push = (chunk: unknown, encoding?: BufferEncoding) => {
    askedAt = 0;
    return push(chunk, encoding);
  };
  const timer = setInterval(() => {
    if (stream.destroyed || stream.readableEnded) return clearInterval(timer);
    if (askedAt && Date.now() - askedAt > idleMs) {
      clearInterval(timer);
      stream.destroy(error());
    }
  }, tick(idleMs));
  timer.unref();
  stream.once('close', () => clearInterval(timer));
  return stream;
}

/**
 * The write, failed with TIMEOUT when the destination stops taking bytes it has been offered for `idleMs`
 * (they wait in the source's buffer), or does not finish within `callMs` after the last byte (the server's
 * final answer never comes). A source that is slow itself (a throttle, a slow reader) is not the write's fault.
 */
async function watchedWrite(c: Connector, path: string, source: Readable, opts: WriteOptions | undefined, t: ConnectorTimeouts, where: string): Promise<WriteResult> {
  let last = Date.now();
  let endedAt = 0;
  const gauge = new Transform({
    transform(chunk, _enc, cb) {
      last = Date.now();
      cb(null, chunk);
    },
    flush(cb) {
      endedAt = Date.now();
      cb();
    },
  });
  source.once('error', (e) => gauge.destroy(e));
  // A source destroyed before its end without an error (the engine's cancel) must end the write too: pipe()
  // would leave the gauge open, and the writer waiting on it until the idle timeout. Outside a cancel the
  // bytes stopped short, as on a dropped connection: worth another try.
  source.once('close', () => {
    if (source.readableEnded || gauge.destroyed) return;
    gauge.destroy(new FerryError('CONNECTION_LOST', `The data for ${path} stopped before its end`, { detail: { path, endpoint: where } }));
  });
  source.pipe(gauge);
  const writing = c.write(path, gauge, opts);
  let timer: NodeJS.Timeout | undefined;
  const stalled = new Promise<never>((_, reject) => {
    timer = setInterval(() => {
      const now = Date.now();
      const offered = gauge.readableLength > 0 || source.readableLength > 0;
      if (!offered && !endedAt) last = now;
      const fail = (what: string, ms: number) => {
        const e = hung(what, where, ms);
        gauge.destroy(e);
        reject(e);
      };
      if (endedAt && gauge.readableLength === 0 && now - endedAt > t.callMs) fail(`finish writing ${path}`, t.callMs);
      else if (!endedAt && now - last > t.idleMs) fail(`write ${path} (no bytes taken)`, t.idleMs);
    }, tick(Math.min(t.idleMs, t.callMs)));
    timer.unref();
  });
  stalled.catch(() => {});
  try {
    return await Promise.race([writing, stalled]);
  } finally {
    clearInterval(timer);
  }
}
