import type { Capabilities } from '../../shared/connectors';
import { LOCAL_ENDPOINT } from '../../shared/endpoints';
import type { Profile } from '../../shared/profiles';
import type { ConnectContext, Connector, ConnectorManifest, Logger } from './connectors/types';
import type { AcquireOptions, EndpointProvider, Lease } from './endpoints';
import { FerryError } from './errors';
import { withTimeouts, type ConnectorTimeouts } from './connectors/timeouts';

interface Pool {
  idle: Array<{ connector: Connector; since: number }>;
  /** Connectors lent out, a shared one counted once: never more than `max`. */
  busy: number;
  max: number;
  waiters: Array<{ resolve(l: Lease): void; reject(e: unknown): void; signal?: AbortSignal; opts: AcquireOptions }>;
  /** Connectors lent to several small-file holders at once (AcquireOptions.share). */
  shared: Shared[];
}

interface Shared {
  /** The connector, or its connect still under way (holders joining it wait for it too). */
  ready: Promise<Connector>;
  holders: number;
  /** A holder found the connection broken: it is closed, and nobody joins it any more. */
  broken: boolean;
}

export interface EndpointPoolDeps {
  manifest(type: string): ConnectorManifest;
  profile(id: string): Profile;
  /** Builds the connect context (secrets, trust) for a profile. */
  context(profile: Pick<Profile, 'id' | 'name' | 'type' | 'options'>): Omit<ConnectContext, 'profile'>;
  log: Logger;
  idleMs?: number;
  /** Connector call and stream timeouts (connectors/timeouts.ts); tests shorten them. */
  timeouts?: ConnectorTimeouts;
}

const LOCAL_PROFILE = { id: LOCAL_ENDPOINT, name: 'local', type: 'local', options: {} } as const;

/**
 * One pool of connectors per endpoint, bounded by the profile's maxConnections option or the connector's
 * declared maxConnections. Browsing and transfers share it, so a server that caps sessions is never
 * asked for more. Idle connectors are reused, and closed after a while.
 */
export class EndpointPool implements EndpointProvider {
  private readonly pools = new Map<string, Pool>();
  /**
   * Profiles as last read, per endpoint (again at each connect, and after reset()): the engine asks an
   * endpoint's capabilities several times per file, and reading the row each time was 120 ms of a
   * 2,000-file upload's main thread.
   */
  private readonly profiles = new Map<string, Pick<Profile, 'id' | 'name' | 'type' | 'options'>>();
  private readonly idleMs: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly deps: EndpointPoolDeps) {
    this.idleMs = deps.idleMs ?? 60_000;
    this.timer = setInterval(() => this.reap(), Math.min(this.idleMs, 10_000));
    this.timer.unref();
  }

  profileOf(endpoint: string): Pick<Profile, 'id' | 'name' | 'type' | 'options'> {
    if (endpoint === LOCAL_ENDPOINT) return LOCAL_PROFILE;
    let profile = this.profiles.get(endpoint);
    if (!profile) this.profiles.set(endpoint, (profile = this.deps.profile(endpoint)));
    return profile;
  }

  /** The manifest's capabilities, with the connection bound this endpoint really has (a profile may lower it). */
  capabilities(endpoint: string): Capabilities {
    const caps = this.deps.manifest(this.profileOf(endpoint).type).capabilities;
    return { ...caps, maxConnections: this.pool(endpoint).max };
  }

  isDatabase(endpoint: string): boolean {
    return !!this.deps.manifest(this.profileOf(endpoint).type).tables;
  }

  label(endpoint: string): string {
    return this.profileOf(endpoint).name;
  }

  async acquire(endpoint: string, signal?: AbortSignal, opts: AcquireOptions = {}): Promise<Lease> {
    const pool = this.pool(endpoint);
    signal?.throwIfAborted();
    const per = opts.share ? (this.deps.manifest(this.profileOf(endpoint).type).capabilities.sharedTransfers ?? 1) : 1;
    if (per > 1) {
      // Not ahead of someone waiting for a connection of their own: a shared one drains for them.
      const room = pool.shared.find((s) => !s.broken && s.holders < per);
      if (room && !pool.waiters.some((w) => !w.opts.share)) return this.join(endpoint, pool, room, signal);
    }
    const idle = pool.idle.pop();
    if (idle) {
      pool.busy++;
      return per > 1 ? this.join(endpoint, pool, this.share(endpoint, pool, Promise.resolve(idle.connector)), signal) : this.lease(endpoint, pool, idle.connector);
    }
    if (pool.busy < pool.max) {
      pool.busy++;
      // Not the first holder's signal: the holders joining it may belong to other jobs (each gives up on its own, in join).
      if (per > 1) return this.join(endpoint, pool, this.share(endpoint, pool, this.connect(endpoint)), signal);
      try {
        return this.lease(endpoint, pool, await this.connect(endpoint, signal));
      } catch (e) {
        pool.busy--;
        this.wakeNext(endpoint, pool);
        throw e;
      }
    }
    return new Promise<Lease>((resolve, reject) => {
      const waiter = { resolve, reject, signal, opts };
      pool.waiters.push(waiter);
      signal?.addEventListener('abort', () => {
        const i = pool.waiters.indexOf(waiter);
        if (i >= 0) pool.waiters.splice(i, 1);
        reject(new FerryError('CANCELLED', 'Cancelled'));
      }, { once: true });
    });
  }

  /** A connector of its own (never shared): for a segment of a large file, read beside its first. */
  async tryAcquire(endpoint: string, signal?: AbortSignal): Promise<Lease | null> {
    const pool = this.pool(endpoint);
    // Never ahead of someone already waiting for this endpoint.
    if (pool.waiters.length || (!pool.idle.length && pool.busy >= pool.max)) return null;
    return this.acquire(endpoint, signal);
  }

  /** Drops idle connectors of an endpoint (after its profile changed) and forgets its profile and pool size. */
  async reset(endpoint: string): Promise<void> {
    this.profiles.delete(endpoint);
    const pool = this.pools.get(endpoint);
    if (!pool) return;
    this.pools.delete(endpoint);
    await Promise.all(pool.idle.map((i) => i.connector.close().catch(() => {})));
  }

  async closeAll(): Promise<void> {
    clearInterval(this.timer);
    await Promise.all([...this.pools.keys()].map((k) => this.reset(k)));
  }

  /** A one-off connection outside any pool (profile test with an unsaved form). */
  async connectProfile(
    profile: Pick<Profile, 'id' | 'name' | 'type' | 'options'>,
    signal?: AbortSignal,
    secret?: ConnectContext['secret'],
  ): Promise<Connector> {
    const manifest = this.deps.manifest(profile.type);
    const ctx = this.deps.context(profile);
    return manifest.connect({ ...ctx, ...(secret ? { secret } : {}), profile, signal });
  }

  private pool(endpoint: string): Pool {
    let pool = this.pools.get(endpoint);
    if (!pool) {
      const profile = this.profileOf(endpoint);
      const declared = this.deps.manifest(profile.type).capabilities.maxConnections;
      const opt = Number(profile.options.maxConnections);
      pool = { idle: [], busy: 0, max: Number.isFinite(opt) && opt > 0 ? opt : declared, waiters: [], shared: [] };
      this.pools.set(endpoint, pool);
    }
    return pool;
  }

  private async connect(endpoint: string, signal?: AbortSignal): Promise<Connector> {
    // Read afresh: another process (the CLI beside the app) may have edited the profile since.
    if (endpoint !== LOCAL_ENDPOINT) this.profiles.delete(endpoint);
    const profile = this.profileOf(endpoint);
    const manifest = this.deps.manifest(profile.type);
    // The pool bounds connections by how many connectors it lends; each holds one.
    const connector = await manifest.connect({ ...this.deps.context(profile), profile, signal, connectionBudget: 1 });
    // This computer's disk never hangs the way a network does; every other endpoint's calls carry timeouts.
    return profile.type === 'local' ? connector : withTimeouts(connector, profile.name, this.deps.timeouts);
  }

  private lease(endpoint: string, pool: Pool, connector: Connector): Lease {
    return leaseOf(connector, (broken) => {
      this.giveBack(endpoint, pool, connector, broken);
      this.wakeNext(endpoint, pool);
    });
  }

  /** A connector no longer lent: idle for the next holder, or closed (broken, or its pool was reset). */
  private giveBack(endpoint: string, pool: Pool, connector: Connector, broken: boolean): void {
    pool.busy--;
    if (broken || this.pools.get(endpoint) !== pool) connector.close().catch(() => {});
    else pool.idle.push({ connector, since: Date.now() });
  }

  /** A connector (counted in `busy` by the caller) becomes one that small-file holders share. */
  private share(endpoint: string, pool: Pool, connecting: Promise<Connector>): Shared {
    const entry: Shared = { ready: connecting, holders: 0, broken: false };
    pool.shared.push(entry);
    connecting.catch(() => {
      // Each holder that joined gets the connect's error from `ready`; the slot is free again.
      const i = pool.shared.indexOf(entry);
      if (i >= 0) pool.shared.splice(i, 1);
      pool.busy--;
      this.wakeNext(endpoint, pool);
    });
    return entry;
  }

  private async join(endpoint: string, pool: Pool, entry: Shared, signal?: AbortSignal): Promise<Lease> {
    entry.holders++;
    let connector: Connector;
    let onAbort: (() => void) | undefined;
    try {
      connector = await (signal
        ? Promise.race([
            entry.ready,
            new Promise<never>((_, reject) => {
              onAbort = () => reject(new FerryError('CANCELLED', 'Cancelled'));
              if (signal.aborted) onAbort();
              else signal.addEventListener('abort', onAbort, { once: true });
            }),
          ])
        : entry.ready);
    } catch (e) {
      entry.holders--;
      // The last holder gone while it still connects: it goes back to the pool (or is freed) once it has.
      if (entry.holders === 0) {
        void entry.ready.then(
          (c) => {
            this.leaveIfUnheld(endpoint, pool, entry, c);
            this.wakeNext(endpoint, pool);
          },
          () => {},
        );
      }
      throw e;
    } finally {
      if (onAbort) signal?.removeEventListener('abort', onAbort);
    }
    return leaseOf(connector, (broken) => {
      entry.holders--;
      if (broken && !entry.broken) {
        // The others on it fail as this one did, and are retried on another connection.
        entry.broken = true;
        connector.close().catch(() => {});
      }
      this.leaveIfUnheld(endpoint, pool, entry, connector);
      this.wakeNext(endpoint, pool);
    });
  }

  /** A shared connector nobody holds any more stops being shared: back to idle, or its slot freed if broken. */
  private leaveIfUnheld(endpoint: string, pool: Pool, entry: Shared, connector: Connector): void {
    const at = pool.shared.indexOf(entry);
    if (entry.holders > 0 || at < 0) return;
    pool.shared.splice(at, 1);
    if (entry.broken) pool.busy--; // closed already
    else this.giveBack(endpoint, pool, connector, false);
  }

  /** Wakes a waiter: one that wants a connection of its own first (holders sharing one can join others). */
  private wakeNext(endpoint: string, pool: Pool): void {
    const own = pool.waiters.findIndex((w) => !w.opts.share);
    const [waiter] = pool.waiters.splice(own >= 0 ? own : 0, 1);
    if (!waiter) return;
    this.acquire(endpoint, waiter.signal, waiter.opts).then(waiter.resolve, waiter.reject);
  }

  private reap(): void {
    const cutoff = Date.now() - this.idleMs;
    for (const pool of this.pools.values()) {
      const stale = pool.idle.filter((i) => i.since < cutoff);
      pool.idle = pool.idle.filter((i) => i.since >= cutoff);
      for (const s of stale) s.connector.close().catch(() => {});
    }
  }
}

/** A lease whose release takes effect once, however often it is called. */
function leaseOf(connector: Connector, onRelease: (broken: boolean) => void): Lease {
  let released = false;
  return {
    connector,
    release: (broken = false) => {
      if (released) return;
      released = true;
      onRelease(broken);
    },
  };
}
