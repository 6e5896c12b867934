import type { Connector } from '../connectors/types';
import type { AcquireOptions, EndpointProvider, Lease } from '../endpoints';
import { FerryError } from '../errors';
import { breaksConnection } from './retry';

/** Runs `fn` on a connector borrowed from the endpoint's pool, giving it back (as broken when the call broke it). */
export async function withConnector<T>(
  endpoints: EndpointProvider,
  endpoint: string,
  fn: (c: Connector) => Promise<T>,
  signal?: AbortSignal,
): Promise<T> {
  const lease = await endpoints.acquire(endpoint, signal);
  let broken = false;
  try {
    return await fn(lease.connector);
  } catch (e) {
    broken = breaksConnection(e);
    throw e;
  } finally {
    lease.release(broken);
  }
}

/** A FIFO lock whose waiters can give up (abort). */
class Mutex {
  private held = false;
  private waiters: Array<() => void> = [];

  async lock(signal?: AbortSignal): Promise<() => void> {
    if (this.held) {
      await new Promise<void>((resolve, reject) => {
        const wake = () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        };
        const onAbort = () => {
          this.waiters = this.waiters.filter((w) => w !== wake);
          reject(new FerryError('CANCELLED', 'Cancelled'));
        };
        this.waiters.push(wake);
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    } else {
      this.held = true;
    }
    let done = false;
    return () => {
      if (done) return;
      done = true;
      const next = this.waiters.shift();
      if (next) next();
      else this.held = false;
    };
  }
}

export interface LeasePair {
  src: Connector;
  dst: Connector;
  release(broken: boolean): void;
}

/**
 * Borrows a source and a destination connector without deadlocking the bounded pools: different endpoints
 * are always taken in the same order, and taking two connectors of one endpoint is serialized, so no two
 * tasks each hold one and wait for the other's. An endpoint allowing a single connection, or a task that
 * works on the server alone (`oneSuffices`: server-side copy or rename), gets one connector for both sides.
 */
export class LeaseBroker {
  private readonly sameEndpointLocks = new Map<string, Mutex>();

  constructor(private readonly endpoints: EndpointProvider) {}

  async pair(srcEndpoint: string, dstEndpoint: string, signal?: AbortSignal, oneSuffices = false, opts: AcquireOptions = {}): Promise<LeasePair> {
    if (srcEndpoint === dstEndpoint) {
      if (oneSuffices || this.endpoints.capabilities(srcEndpoint).maxConnections < 2) {
        const one = await this.endpoints.acquire(srcEndpoint, signal);
        return { src: one.connector, dst: one.connector, release: (broken) => one.release(broken) };
      }
      let mutex = this.sameEndpointLocks.get(srcEndpoint);
      if (!mutex) this.sameEndpointLocks.set(srcEndpoint, (mutex = new Mutex()));
      const unlock = await mutex.lock(signal);
      try {
        const [a, b] = await this.takeTwo(srcEndpoint, srcEndpoint, signal, opts);
        return { src: a.connector, dst: b.connector, release: (broken) => (a.release(broken), b.release(broken)) };
      } finally {
        unlock();
      }
    }
    const ordered = srcEndpoint < dstEndpoint;
    const [first, second] = await this.takeTwo(ordered ? srcEndpoint : dstEndpoint, ordered ? dstEndpoint : srcEndpoint, signal, opts);
    const [s, d] = ordered ? [first, second] : [second, first];
    return { src: s.connector, dst: d.connector, release: (broken) => (s.release(broken), d.release(broken)) };
  }

  /** One connector of an endpoint, for operations on one side (delete, server-side copy or rename). */
  async one(endpoint: string, signal?: AbortSignal): Promise<Lease> {
    return this.endpoints.acquire(endpoint, signal);
  }

  private async takeTwo(a: string, b: string, signal?: AbortSignal, opts: AcquireOptions = {}): Promise<[Lease, Lease]> {
    const first = await this.endpoints.acquire(a, signal, opts);
    try {
      return [first, await this.endpoints.acquire(b, signal, opts)];
    } catch (e) {
      first.release(false);
      throw e;
    }
  }
}
