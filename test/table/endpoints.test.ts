import { GetObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pipeline, Transform } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { s3Manifest } from '../../electron/core/connectors/s3';
import { sftpManifest } from '../../electron/core/connectors/sftp';
import type { ConnectorManifest } from '../../electron/core/connectors/types';
import { previewTable } from '../../electron/core/table/preview';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { S3ServerInfo } from '../servers/s3';
import { createBucket, testClient } from '../servers/s3';
import type { SshdInfo } from '../servers/sshd';
import { server } from '../support/servers';
import { cleanup, makeHarness, tmp, until, withReads, type Harness } from '../transfer/support';

/**
 * The table layer over real servers: previews of CSV, xlsx, Parquet and JSON on the local disk, OpenSSH's
 * SFTP and the S3 server read only the bytes they need (counted where the connector hands them out), and
 * `convert` jobs move a semicolon CSV from SFTP to Parquet in S3 that DuckDB reads back identically, while a
 * bad source leaves nothing under the destination's name.
 */
const served: Record<string, number> = { sftp: 0, s3: 0 };

/** The real connector, with every byte its reads hand out counted (what the server served). */
function counting(manifest: ConnectorManifest, key: string): ConnectorManifest {
  // Counted as they pass, with backpressure kept (a 'data' listener would make the stream flow on its own).
  return withReads(manifest, (stream) => {
    const t = new Transform({ transform: (b: Buffer, _e, cb) => ((served[key] += b.length), cb(null, b)) });
    pipeline(stream, t, () => {});
    return t;
  });
}

let h: Harness;
let local: string;
let remote: string;
let s3: S3ServerInfo;
const BUCKET = `tables-${process.pid}`;
const CSV_ROWS = 40_000;

beforeAll(async () => {
  const sshd = server<SshdInfo>('sshd')!;
  s3 = server<S3ServerInfo>('s3')!;
  const trustDir = tmp('ferry-trust-');
  const trust = new FileTrustStore(trustDir, null);
  trust.pin({ kind: 'ssh', host: sshd.host, port: sshd.port, keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprints.ed25519, key: sshd.hostKeys.ed25519 });
  h = makeHarness({
    trust,
    extra: {
      sftp: { manifest: counting(sftpManifest, 'sftp'), options: { host: sshd.host, port: sshd.port, user: sshd.user, auth: 'password' }, secrets: { password: sshd.password } },
      s3: {
        manifest: counting(s3Manifest, 's3'),
        options: { provider: 'other', endpoint: s3.endpoint, region: s3.region, auth: 'keys', accessKeyId: s3.accessKeyId },
        secrets: { secretAccessKey: s3.secretAccessKey },
      },
    },
  });
  local = tmp('ferry-tables-');
  remote = join(sshd.home, `ferry-tables-${process.pid}`);
  mkdirSync(remote);
  await writeFixtures(local);
  for (const f of readdirSync(local)) writeFileSync(join(remote, f), readFileSync(join(local, f)));
  const uid = Number(execFileSync('id', ['-u', sshd.user], { encoding: 'utf8' }));
  chownSync(remote, uid, uid);
  for (const f of readdirSync(remote)) chownSync(join(remote, f), uid, uid);
  await createBucket(s3, BUCKET);
  for (const f of readdirSync(local)) await testClient(s3).send(new PutObjectCommand({ Bucket: BUCKET, Key: `in/${f}`, Body: readFileSync(join(local, f)) }));
}, 120_000);

afterAll(async () => {
  await h?.close();
  rmSync(remote, { recursive: true, force: true });
  cleanup(local);
});

async function writeFixtures(dir: string): Promise<void> {
  // A partner's CSV: ';' delimiter, decimal commas, CRLF, a header; about 2 MB.
  const lines = ['id;sku;amount;day'];
  for (let i = 1; i <= CSV_ROWS; i++) lines.push(`${i};00${i % 1000};${i},${String(i % 100).padStart(2, '0')};2026-01-${String((i % 28) + 1).padStart(2, '0')}`);
  writeFileSync(join(dir, 'orders.csv'), lines.join('\r\n') + '\r\n');
  const duck = await (await DuckDBInstance.create(':memory:')).connect();
  await duck.run(
    `COPY (SELECT i::BIGINT AS id, 'name ' || i AS name, (i * 1.25)::DECIMAL(12,2) AS amount, DATE '2020-01-01' + (i % 5000)::INTEGER AS day
           FROM range(300000) t(i)) TO '${join(dir, 'sales.parquet')}' (FORMAT parquet, ROW_GROUP_SIZE 50000, COMPRESSION zstd)`,
  );
  const wb = new ExcelJS.Workbook();
  const a = wb.addWorksheet('Prices');
  a.addRow(['sku', 'price']);
  a.addRow(['A-1', 1.5]);
  a.addRow(['B-2', 2.25]);
  const b = wb.addWorksheet('Stock');
  b.addRow(['sku', 'on_hand', 'counted']);
  b.addRow(['A-1', 12, new Date(Date.UTC(2026, 10, 30))]);
  await wb.xlsx.writeFile(join(dir, 'book.xlsx'));
  writeFileSync(join(dir, 'events.ndjson'), '{"id": 9007199254740993, "kind": "a"}\n{"id": 2, "kind": null}\n');
  writeFileSync(join(dir, 'broken.parquet'), readFileSync(join(dir, 'sales.parquet')).subarray(0, 100_000));
}

const where = () => ({
  local: { endpoint: 'local', dir: local },
  sftp: { endpoint: 'sftp', dir: remote },
  s3: { endpoint: 's3', dir: `/${BUCKET}/in` },
});

describe.each(['local', 'sftp', 's3'] as const)('previews on %s', (name) => {
  const at = (f: string) => ({ endpoint: where()[name].endpoint, path: `${where()[name].dir}/${f}` });

  it('a semicolon CSV: dialect, types (leading zeros stay text), first rows, from the head only', async () => {
    const before = served[name] ?? 0;
    const p = await previewTable(h.endpoints, { ...at('orders.csv'), offset: 0, limit: 100, options: {} });
    expect(p.dialect).toMatchObject({ delimiter: ';', header: true, decimalComma: true });
    expect(p.columns.map((c) => c.name)).toEqual(['id', 'sku', 'amount', 'day']);
    expect(p.columns[1].type).toBe('string');
    expect(p.columns[3].type).toBe('date');
    expect(p.rows[0]).toEqual([expect.anything(), '001', '1.01', '2026-01-02']);
    expect(p.rows).toHaveLength(100);
    expect(p.more).toBe(true);
    expect(p.bytesRead).toBeLessThan(1 << 20);
    if (name !== 'local') expect(served[name] - before).toBeLessThan(1 << 20);
  });

  it('a Parquet file with several row groups: schema and row count from the footer, rows from one row group', async () => {
    const before = served[name] ?? 0;
    const p = await previewTable(h.endpoints, { ...at('sales.parquet'), offset: 0, limit: 100, options: {} });
    expect(p.rowCount).toBe(300_000);
    expect(p.columns).toEqual([
      { name: 'id', type: 'int64' },
      { name: 'name', type: 'string' },
      { name: 'amount', type: 'decimal(12,2)' },
      { name: 'day', type: 'date' },
    ]);
    expect(p.rows[1]).toEqual(['1', 'name 1', '1.25', '2020-01-02']);
    expect(p.bytesRead / p.size).toBeLessThan(0.3);
    if (name !== 'local') expect((served[name] - before) / p.size).toBeLessThan(0.3);
  });

  it('an xlsx with two sheets: the sheet list, and switching sheets', async () => {
    const first = await previewTable(h.endpoints, { ...at('book.xlsx'), offset: 0, limit: 100, options: {} });
    expect(first.sheets).toEqual(['Prices', 'Stock']);
    expect(first.columns.map((c) => c.name)).toEqual(['sku', 'price']);
    expect(first.rows).toEqual([['A-1', 1.5], ['B-2', 2.25]]);
    const second = await previewTable(h.endpoints, { ...at('book.xlsx'), offset: 0, limit: 100, options: { sheet: 'Stock' } });
    expect(second.sheet).toBe('Stock');
    expect(second.columns.map((c) => c.name)).toEqual(['sku', 'on_hand', 'counted']);
    expect(second.rows[0][0]).toBe('A-1');
    expect(String(second.rows[0][2])).toMatch(/^2026-11-30/);
  });

  it('NDJSON: big integers stay exact, JSON null is NULL', async () => {
    const p = await previewTable(h.endpoints, { ...at('events.ndjson'), offset: 0, limit: 10, options: {} });
    expect(p.columns.map((c) => c.name)).toEqual(['id', 'kind']);
    expect(p.rows).toEqual([['9007199254740993', 'a'], ['2', null]]);
  });

  it('a truncated Parquet file gets a clear error, not a stack', async () => {
    await expect(previewTable(h.endpoints, { ...at('broken.parquet'), offset: 0, limit: 10, options: {} })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      message: expect.stringMatching(/broken\.parquet/),
    });
  });
});

async function runConvert(src: { endpoint: string; path: string }, dst: { endpoint: string; dir: string; name: string }, write: Record<string, unknown> = {}) {
  const plan = await h.engine.plan({
    kind: 'convert',
    source: { endpoint: src.endpoint, paths: [src.path] },
    destination: { endpoint: dst.endpoint, path: dst.dir },
    conflict: 'overwrite',
    convert: { name: dst.name, read: {}, write },
  });
  const job = await h.engine.create({ planId: plan.id });
  return until(() => {
    const j = h.engine.get(job.id);
    return ['done', 'failed', 'cancelled'].includes(j.job.state) ? j : null;
  }, 60_000, 'the convert job');
}

describe('convert jobs between endpoints', () => {
  it('a semicolon CSV on SFTP to Parquet in S3: DuckDB reads back every row', async () => {
    const r = await runConvert({ endpoint: 'sftp', path: `${remote}/orders.csv` }, { endpoint: 's3', dir: `/${BUCKET}/out`, name: 'orders.parquet' }, { compression: 'gzip' });
    expect(r.job.state).toBe('done');
    expect(r.files[0]).toMatchObject({ state: 'done', dstPath: `/${BUCKET}/out/orders.parquet` });
    const obj = await testClient(s3).send(new GetObjectCommand({ Bucket: BUCKET, Key: 'out/orders.parquet' }));
    const file = join(local, 'orders-from-s3.parquet');
    writeFileSync(file, Buffer.from(await obj.Body!.transformToByteArray()));
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await duck.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS total, max(sku) AS sku FROM read_parquet('${file}')`)).getRowObjectsJson();
    const expected = Array.from({ length: CSV_ROWS }, (_, k) => BigInt(k + 1) * 100n + BigInt((k + 1) % 100)).reduce((a, b) => a + b, 0n);
    expect(rows[0]).toEqual({ n: String(CSV_ROWS), total: `${expected / 100n}.${String(expected % 100n).padStart(2, '0')}`, sku: '00999' });
  });

  it('Parquet on S3 to CSV on SFTP, atomically: the final name holds the whole file', async () => {
    const r = await runConvert({ endpoint: 's3', path: `/${BUCKET}/in/sales.parquet` }, { endpoint: 'sftp', dir: remote, name: 'sales.csv' });
    expect(r.job.state).toBe('done');
    const text = readFileSync(join(remote, 'sales.csv'), 'utf8');
    const lines = text.trimEnd().split(/\r?\n/);
    expect(lines).toHaveLength(300_001);
    expect(lines[0]).toBe('id,name,amount,day');
    expect(lines[2]).toBe('1,name 1,1.25,2020-01-02');
    expect(readdirSync(remote).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('Parquet in S3 to Parquet on SFTP (re-encoded with gzip): every row arrives, under the final name only', async () => {
    const r = await runConvert({ endpoint: 's3', path: `/${BUCKET}/in/sales.parquet` }, { endpoint: 'sftp', dir: remote, name: 'sales-gz.parquet' }, { compression: 'gzip' });
    expect(r.job.state).toBe('done');
    const duck = await (await DuckDBInstance.create(':memory:')).connect();
    const rows = (await duck.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS total, max(day)::VARCHAR AS day FROM read_parquet('${join(remote, 'sales-gz.parquet')}')`)).getRowObjectsJson();
    const want = (await duck.runAndReadAll(`SELECT count(*)::VARCHAR AS n, sum(amount)::VARCHAR AS total, max(day)::VARCHAR AS day FROM read_parquet('${join(local, 'sales.parquet')}')`)).getRowObjectsJson();
    expect(rows).toEqual(want);
    expect(readdirSync(remote).filter((f) => f.includes('ferry-part'))).toEqual([]);
  });

  it('a bad source fails the job with its reason and leaves no file under the destination name, nor a temp file', async () => {
    const out = tmp('ferry-convert-out-');
    try {
      const r = await runConvert({ endpoint: 'sftp', path: `${remote}/broken.parquet` }, { endpoint: 'local', dir: out, name: 'broken.parquet' });
      expect(r.job.state === 'failed' || r.job.failedFiles === 1).toBe(true);
      expect(r.files[0].error).toMatchObject({ code: 'INVALID_INPUT' });
      expect(existsSync(join(out, 'broken.parquet'))).toBe(false);
      expect(readdirSync(out)).toEqual([]);
    } finally {
      cleanup(out);
    }
  });
});
