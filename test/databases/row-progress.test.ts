import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import type { Job, JobProgressEvent } from '../../shared/transfers';
import type { PostgresInfo } from '../servers/postgres';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy';
import { tempDir } from '../support/temp';
import { startJob } from '../support/core-jobs';
import { until } from '../transfer/support';

/**
 * Live row progress of exports and loads, through the core's API as the app sees it (jobs.progress events,
 * jobs.get), against the real PostgreSQL behind a TCP proxy that holds the traffic once a few MB have
 * passed: while held, the job is mid-way and its rows so far are in the events and the job's detail,
 * with the table's row estimate as the total of an export. The CLI's summary names the rows too.
 */
const pgInfo = server<PostgresInfo>('postgres');
const ROWS = 200_000;
const schema = `rp${process.pid}`;
const home = tempDir('ferry-row-progress-');
const work = tempDir('ferry-row-progress-work-');
const csvPath = join(work.path, 'big.csv');
let db: pg.Client;
let core: FerryCore;
let proxy: TcpProxy;
let profileId = '';
let events: JobProgressEvent[] = [];
let changed: Job[] = [];

/** The last progress event's row counts of job `id` (and of its one file), once they show rows. */
function lastRows(id: string): { job?: { doneRows?: number; totalRows?: number | null }; file?: { rowsDone?: number; rowsTotal?: number | null } } {
  for (let i = events.length - 1; i >= 0; i--) {
    const job = events[i].jobs.find((j) => j.id === id && j.doneRows !== undefined);
    if (job) return { job, file: events[i].files.find((f) => f.jobId === id && f.rowsDone !== undefined) };
  }
  return {};
}

describe.skipIf(!pgInfo)('live row progress of exports and loads', () => {
  beforeAll(async () => {
    const p = pgInfo!;
    db = new pg.Client({ host: p.host, port: p.port, user: p.user, password: p.password, database: p.database });
    await db.connect();
    await db.query(`CREATE SCHEMA ${schema}`);
    await db.query(`CREATE TABLE ${schema}.source AS SELECT i AS id, 'row number ' || i AS name, (i * 1.25)::numeric(14,2) AS amount FROM generate_series(1, ${ROWS}) i`);
    await db.query(`ANALYZE ${schema}.source`);
    let text = 'id,name,amount\n';
    for (let i = 1; i <= ROWS; i++) text += `${i}, row number ${i} ,${(i * 1.25).toFixed(2)}\n`;
    writeFileSync(csvPath, text);
    core = new FerryCore({ home: home.path, disableKeychain: true, startQueue: true });
    core.onEvent((event, payload) => {
      if (event === 'jobs.progress') events.push(payload as JobProgressEvent);
      if (event === 'jobs.changed') changed.push(payload as Job);
    });
  });

  beforeEach(async () => {
    // A fresh proxy (it holds once) and a fresh connection through it.
    const p = pgInfo!;
    proxy = await startTcpProxy({ host: p.host, port: p.port }, { holdAfterBytes: 2_000_000 });
    const options = { host: '127.0.0.1', port: proxy.port, database: p.database, user: p.user, maxConnections: 1 };
    if (profileId) await core.profiles.update(profileId, { name: 'pgrows', type: 'postgres', options });
    else profileId = (await core.profiles.create({ name: 'pgrows', type: 'postgres', options, secrets: { password: p.password } })).id;
  });

  afterEach(async () => {
    await proxy?.close();
    events = [];
    changed = [];
  });

  afterAll(async () => {
    await core?.close();
    await db?.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`).catch(() => {});
    await db?.end();
    home.cleanup();
    work.cleanup();
  });

  it('an export from a table: rows so far against the table estimate while it runs, all of them at the end', async () => {
    const id = await startJob(core, {
      kind: 'convert',
      source: { endpoint: profileId, paths: [`/${schema}/source`] },
      destination: { endpoint: 'local', path: work.path },
      conflict: 'overwrite',
      convert: { name: 'out.csv', write: {} },
    });
    await proxy.held;
    await until(() => (lastRows(id).job?.doneRows ?? 0) > 0, 20_000, 'rows in a progress event');
    const mid = lastRows(id);
    expect(mid.job!.doneRows).toBeLessThan(ROWS);
    expect(mid.job!.totalRows).toBe(ROWS);
    expect(mid.file).toMatchObject({ rowsDone: mid.job!.doneRows, rowsTotal: ROWS });
    const detail = await core.handlers['jobs.get']({ id });
    expect(detail.job.doneRows).toBeGreaterThan(0);
    expect(detail.files[0].rowsDone).toBeGreaterThan(0);
    expect(detail.files[0].rowsDone).toBeLessThan(ROWS);
    proxy.release();
    const done = await core.engine.wait(id);
    expect(done.state).toBe('done');
    expect(readFileSync(join(work.path, 'out.csv'), 'utf8').split('\n').length).toBe(ROWS + 2);
    // The rows are not stored: the job's last event (what the queue row keeps) carries the full count.
    expect(changed.filter((j) => j.id === id).at(-1)).toMatchObject({ state: 'done', doneRows: ROWS });
  });

  it.each([
    // Re-encoded rows go out batch by batch behind the held connection: the count stops short of the end.
    ['with a transform (rows re-encoded)', 'target', { trim: true }, true],
    // The file's own bytes fill the socket buffers first (a few MB): counted before the end of the job, not
    // necessarily short of the last line.
    ['as it is (the file\'s bytes to COPY: its lines so far)', 'plain', {}, false],
  ])('a load %s: rows so far while it runs (a CSV has no total), all of them at the end', async (_how, table, extra, shortOfEnd) => {
    await db.query(`CREATE TABLE ${schema}.${table} (id bigint, name text, amount numeric(14,2))`);
    const id = await startJob(core, {
      kind: 'convert',
      source: { endpoint: 'local', paths: [csvPath] },
      destination: { endpoint: profileId, path: `/${schema}` },
      conflict: 'overwrite',
      convert: { name: table, load: { mode: 'append', ...extra }, read: {} },
    });
    await proxy.held;
    await until(() => (lastRows(id).job?.doneRows ?? 0) > 0, 20_000, 'rows in a progress event');
    const mid = lastRows(id);
    expect((await core.handlers['jobs.get']({ id })).job.state).toBe('running');
    if (shortOfEnd) expect(mid.job!.doneRows).toBeLessThan(ROWS);
    expect(mid.job!.totalRows).toBeNull();
    expect(mid.file).toMatchObject({ rowsDone: mid.job!.doneRows, rowsTotal: null });
    proxy.release();
    expect(await core.engine.wait(id)).toMatchObject({ state: 'done' });
    expect(changed.filter((j) => j.id === id).at(-1)).toMatchObject({ state: 'done', doneRows: ROWS });
    expect((await db.query(`SELECT count(*)::int AS n FROM ${schema}.${table}`)).rows).toEqual([{ n: ROWS }]);
    // Bytes move too (the job's bar), not only at the end: while the job runs, its bytes so far are in the
    // events (short of the file's size when rows are re-encoded; a file sent as it is may sit whole in the
    // socket buffers while the proxy holds it, so only "before the end" is certain for it).
    const size = statSync(csvPath).size;
    const moving = (j: JobProgressEvent['jobs'][number]) => j.id === id && j.state === 'running' && j.doneBytes > 0 && (!shortOfEnd || j.doneBytes < size);
    expect(events.some((e) => e.jobs.some(moving))).toBe(true);
  });

  it('the CLI summary of an export names its rows', async () => {
    proxy.release();
    const p = pgInfo!;
    const cliHome = tempDir('ferry-row-progress-cli-');
    try {
      const run = (args: string[], stdin?: string) => ferry(args, { home: cliHome.path, stdin });
      expect((await run(['profile', 'add', 'pg', '--type', 'postgres', '--host', p.host, '--port', String(p.port), '--database', p.database, '--user', p.user, '--password-stdin'], p.password)).code).toBe(0);
      const r = await run(['export', `pg:${schema}.source`, join(work.path, 'cli.csv')]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toMatch(new RegExp(`Done: 1 files, .* s.*, ${ROWS.toLocaleString('en-US')} rows`));
    } finally {
      cliHome.cleanup();
    }
  });
});
