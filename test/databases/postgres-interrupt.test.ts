import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import type { Job, JobSpecInput } from '../../shared/transfers';
import type { PostgresInfo } from '../servers/postgres';
import { server } from '../support/servers';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { tempDir } from '../support/temp';
import { startJob } from '../support/core-jobs';
import { until } from '../transfer/support';

/**
 * Loads and exports that break in the middle, against the real PostgreSQL behind a TCP proxy that holds
 * the traffic once a few MB have passed (so the test acts mid-transfer on any machine) and can cut every
 * connection. Through the core's API, as the app drives it (jobs.plan, jobs.create, jobs.cancel):
 * - a cut mid-load: while the job waits to retry, the table is exactly as before; the retry then loads every
 *   row exactly once (the first attempt's rows were rolled back, not kept);
 * - a cancel mid-load: the job ends cancelled and the table is exactly as before, also when the network has
 *   stalled and the rollback cannot reach the server (Ferry drops the connection; the server rolls back);
 * - a cut and a cancel mid-export: no file under the final name until (cut) the retry has written it whole.
 */
const pgInfo = server<PostgresInfo>('postgres');
const ROWS = 300_000;
const schema = `i${process.pid}`;
const home = tempDir('ferry-pg-interrupt-');
const work = tempDir('ferry-pg-interrupt-work-');
const csvPath = join(work.path, 'big.csv');
let db: pg.Client;
let core: FerryCore;
let proxy: TcpProxy;
let profileId = '';

async function sql<T = Record<string, unknown>>(text: string): Promise<T[]> {
  return (await db.query(text)).rows as T[];
}

/** The table's row count and a digest of its whole content, in a stable order. */
async function snapshot(table: string): Promise<{ n: number; digest: string }> {
  const [r] = await sql<{ n: number; digest: string }>(`SELECT count(*)::int AS n, md5(coalesce(string_agg(t::text, '|' ORDER BY t::text), '')) AS digest FROM ${schema}.${table} t`);
  return r;
}

const loadSpec = (table: string): JobSpecInput => ({
  kind: 'convert',
  source: { endpoint: 'local', paths: [csvPath] },
  destination: { endpoint: profileId, path: `/${schema}` },
  conflict: 'overwrite',
  convert: { name: table, load: { mode: 'append' }, read: {} },
});

const exportSpec = (dir: string, name: string): JobSpecInput => ({
  kind: 'convert',
  source: { endpoint: profileId, paths: [`/${schema}/source`] },
  destination: { endpoint: 'local', path: dir },
  conflict: 'overwrite',
  convert: { name, write: {} },
});

/**
 * Cancels the job while the proxy holds its traffic (mid-transfer), then lets the traffic flow again: the
 * cancel's CopyFail and ROLLBACK travel on that same connection. Resolves with the job at rest.
 */
async function cancelWhileHeld(id: string): Promise<Job> {
  await proxy.held;
  const cancelled = core.handlers['jobs.cancel']({ id });
  setTimeout(() => proxy.release(), 200);
  await cancelled;
  return core.engine.wait(id);
}

/** A profile through a fresh proxy that holds the traffic after `holdAfterBytes`. */
async function throughProxy(holdAfterBytes: number): Promise<void> {
  const p = pgInfo!;
  proxy = await startTcpProxy({ host: p.host, port: p.port }, { holdAfterBytes });
  const options = { host: '127.0.0.1', port: proxy.port, database: p.database, user: p.user, maxConnections: 1 };
  if (profileId) {
    await core.profiles.update(profileId, { name: 'pgcut', type: 'postgres', options });
  } else {
    profileId = (await core.profiles.create({ name: 'pgcut', type: 'postgres', options, secrets: { password: p.password } })).id;
  }
}

describe.skipIf(!pgInfo)('PostgreSQL: a cut connection and a cancel, mid-load and mid-export', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.source AS SELECT i AS id, 'row number ' || i AS name, (i * 1.25)::numeric(14,2) AS amount FROM generate_series(1, ${ROWS}) i`);
    let text = 'id,name,amount\n';
    for (let i = 1; i <= ROWS; i++) text += `${i},row number ${i},${(i * 1.25).toFixed(2)}\n`;
    writeFileSync(csvPath, text);
    core = new FerryCore({ home: home.path, disableKeychain: true, startQueue: true });
  });

  afterEach(async () => {
    await proxy?.close();
  });

  afterAll(async () => {
    await core?.close();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  it('a cut mid-load: the table is as it was until the retry, which loads every row exactly once', async () => {
    await sql(`CREATE TABLE ${schema}.cut (id bigint, name text, amount numeric(14,2))`);
    await sql(`INSERT INTO ${schema}.cut VALUES (-1, 'kept', 1.00), (-2, 'kept too', 2.00)`);
    const before = await snapshot('cut');
    await throughProxy(2_000_000);
    const id = await startJob(core, loadSpec('cut'));
    await proxy.held;
    proxy.cut();
    await until(async () => (await core.handlers['jobs.get']({ id })).files[0].attempts >= 1, 20_000, 'the failed first attempt');
    expect(await snapshot('cut')).toEqual(before);
    proxy.release();
    const done = await core.engine.wait(id);
    expect(done.state).toBe('done');
    const after = await sql<{ n: number; kept: number; dupes: number }>(
      `SELECT count(*)::int AS n, count(*) FILTER (WHERE id < 0)::int AS kept, (count(*) - count(DISTINCT id))::int AS dupes FROM ${schema}.cut`,
    );
    expect(after).toEqual([{ n: ROWS + 2, kept: 2, dupes: 0 }]);
  });

  it('a cancel mid-load: the job ends cancelled and the table is exactly as it was', async () => {
    await sql(`CREATE TABLE ${schema}.cancelled (id bigint, name text, amount numeric(14,2))`);
    await sql(`INSERT INTO ${schema}.cancelled VALUES (-1, 'kept', 1.00)`);
    const before = await snapshot('cancelled');
    await throughProxy(2_000_000);
    const id = await startJob(core, loadSpec('cancelled'));
    const done = await cancelWhileHeld(id);
    expect(done.state).toBe('cancelled');
    expect(await snapshot('cancelled')).toEqual(before);
    // Nothing of it arrives later either: the connection is released and no transaction stays open.
    await until(async () => (await sql(`SELECT 1 FROM pg_stat_activity WHERE application_name = 'ferry' AND state LIKE '%transaction%'`)).length === 0, 20_000, 'no open transaction of Ferry');
    expect(await snapshot('cancelled')).toEqual(before);
  });

  it('a cancel while the network is stalled for good still ends the job, and the table is as it was', async () => {
    await sql(`CREATE TABLE ${schema}.stalled (id bigint, name text, amount numeric(14,2))`);
    const before = await snapshot('stalled');
    await throughProxy(2_000_000);
    const id = await startJob(core, loadSpec('stalled'));
    await proxy.held;
    // Never released: the CopyFail and ROLLBACK cannot arrive, so Ferry drops the connection after a grace period.
    await core.handlers['jobs.cancel']({ id });
    expect((await core.engine.wait(id)).state).toBe('cancelled');
    expect(await snapshot('stalled')).toEqual(before);
  });

  it('a cut mid-export: no file under the final name until the retry has written it whole', async () => {
    const dir = join(work.path, 'export-cut');
    const finalPath = join(dir, 'rows.csv');
    await throughProxy(1_000_000);
    const id = await startJob(core, { ...exportSpec(dir, 'rows.csv') });
    await proxy.held;
    proxy.cut();
    await until(async () => (await core.handlers['jobs.get']({ id })).files[0].attempts >= 1, 20_000, 'the failed first attempt');
    expect(existsSync(finalPath)).toBe(false);
    proxy.release();
    const done = await core.engine.wait(id);
    expect(done.state).toBe('done');
    const lines = readFileSync(finalPath, 'utf8').trimEnd().split('\n');
    expect(lines.length).toBe(ROWS + 1);
    expect(lines[ROWS]).toBe(`${ROWS},row number ${ROWS},${(ROWS * 1.25).toFixed(2)}`);
    expect(readdirSync(dir)).toEqual(['rows.csv']);
  });

  it('a cancel mid-export: the job ends cancelled, no file under the final name, no temp file left', async () => {
    const dir = join(work.path, 'export-cancel');
    await throughProxy(1_000_000);
    const id = await startJob(core, exportSpec(dir, 'rows.parquet'));
    const done = await cancelWhileHeld(id);
    expect(done.state).toBe('cancelled');
    expect(existsSync(join(dir, 'rows.parquet'))).toBe(false);
    expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
  });
});
