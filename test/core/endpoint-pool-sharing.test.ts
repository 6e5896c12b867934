import { describe, expect, it } from 'vitest';
import { localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest } from '../../electron/core/connectors/types';
import type { Lease } from '../../electron/core/endpoints';
import { makeEndpoints } from '../transfer/support';

/**
 * The pool's rules for connectors that small-file holders share (AcquireOptions.share, up to
 * capabilities.sharedTransfers each), on the real local connector declared shareable: which holders get
 * which connector, who waits, and what a broken or failed connection does to the others. (Against a real
 * SSH server: test/transfer/sftp.test.ts.)
 */
function shareable(opts: { per: number; max: number; failConnects?: number }) {
  const made: object[] = [];
  let closed = 0;
  let failing = opts.failConnects ?? 0;
  const manifest: ConnectorManifest = {
    ...localManifest,
    capabilities: { ...localManifest.capabilities, sharedTransfers: opts.per, maxConnections: opts.max },
    connect: async (ctx) => {
      await new Promise((r) => setTimeout(r, 5)); // a connect takes a while: holders arriving meanwhile join it
      if (failing > 0) {
        failing--;
        throw new Error('connect refused (test)');
      }
      const c = await localManifest.connect(ctx);
      made.push(c);
      const close = c.close.bind(c);
      c.close = async () => {
        closed++;
        await close();
      };
      return c;
    },
  };
  const pool = makeEndpoints({ shared: manifest });
  return { pool, made, closed: () => closed };
}

const settledSoon = <T>(p: Promise<T>) => Promise.race([p.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 50))]);
/** The connector a lease holds, as the pool made it (withTimeouts wraps it in a Proxy of the same target). */
const same = (a: Lease, b: Lease) => a.connector === b.connector;

describe('the endpoint pool lends small-file holders one connector together', () => {
  it('holders arriving together share one connect, up to `per` each; one more opens a second connector', async () => {
    const { pool, made } = shareable({ per: 3, max: 4 });
    const leases = await Promise.all(Array.from({ length: 4 }, () => pool.acquire('shared', undefined, { share: true })));
    expect(made.length).toBe(2);
    expect(same(leases[0], leases[1]) && same(leases[1], leases[2])).toBe(true);
    expect(same(leases[2], leases[3])).toBe(false);
    for (const l of leases) l.release();
    // Given back whole once its last holder left: the next holder reuses it, no new connect.
    const again = await pool.acquire('shared', undefined, { share: true });
    expect(made.length).toBe(2);
    again.release();
    await pool.closeAll();
  });

  it('a holder that wants a connector of its own is not overtaken: sharers wait until the shared one drains to it', async () => {
    const { pool, made } = shareable({ per: 3, max: 1 });
    const a = await pool.acquire('shared', undefined, { share: true });
    const b = await pool.acquire('shared', undefined, { share: true });
    const own = pool.acquire('shared');
    const late = pool.acquire('shared', undefined, { share: true });
    expect(await settledSoon(own)).toBe(false);
    // There is room on the shared connector, but someone waits for a whole one.
    expect(await settledSoon(late)).toBe(false);
    a.release();
    expect(await settledSoon(own)).toBe(false);
    b.release();
    const mine = await own;
    expect(await settledSoon(late)).toBe(false);
    mine.release();
    (await late).release();
    expect(made.length).toBe(1);
    await pool.closeAll();
  });

  it('a holder that finds the connection broken closes it for all; the others finish on it, newcomers get a new one', async () => {
    const { pool, made, closed } = shareable({ per: 4, max: 4 });
    const [a, b] = await Promise.all([pool.acquire('shared', undefined, { share: true }), pool.acquire('shared', undefined, { share: true })]);
    a.release(true);
    expect(closed()).toBe(1);
    const c = await pool.acquire('shared', undefined, { share: true });
    expect(made.length).toBe(2);
    expect(same(b, c)).toBe(false);
    b.release();
    c.release();
    expect(closed()).toBe(1); // b's broken connector was closed once; c's went back idle
    await pool.closeAll();
  });

  it('a holder that gives up while the shared connect is under way leaves; the connector still serves the next one', async () => {
    const { pool, made } = shareable({ per: 4, max: 1 });
    const giveUp = new AbortController();
    const leaving = pool.acquire('shared', giveUp.signal, { share: true });
    giveUp.abort();
    await expect(leaving).rejects.toMatchObject({ code: 'CANCELLED' });
    // The only slot is not lost: the next holder gets the connector that was being made.
    const next = await pool.acquire('shared', undefined, { share: true });
    expect(made.length).toBe(1);
    next.release();
    const own = await pool.acquire('shared');
    expect(made.length).toBe(1);
    own.release();
    await pool.closeAll();
  });

  it('a failed connect fails every holder that joined it, and frees its slot for the next try', async () => {
    const { pool, made } = shareable({ per: 4, max: 1, failConnects: 1 });
    const tries = await Promise.allSettled([pool.acquire('shared', undefined, { share: true }), pool.acquire('shared', undefined, { share: true })]);
    expect(tries.map((t) => t.status)).toEqual(['rejected', 'rejected']);
    const next = await pool.acquire('shared', undefined, { share: true });
    expect(made.length).toBe(1);
    next.release();
    await pool.closeAll();
  });
});
