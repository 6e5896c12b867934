import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DuckDBInstance } from '@duckdb/node-api';
import ExcelJS from 'exceljs';
import { closeSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import pg from 'pg';
import { DB_E2E, PREVIEW_FILES } from './fixtures';

/**
 * Starts the real servers the e2e tests browse (OpenSSH sshd, the S3 server, PostgreSQL) and `ferry serve` on a free
 * port with its own FERRY_HOME and a local folder with sample files. Facts go to the tests through env.
 */
export default async function globalSetup() {
  const root = resolve(import.meta.dirname, '..');
  const sshd = await import('../test/servers/sshd');
  const s3 = await import('../test/servers/s3');
  const postgres = await import('../test/servers/postgres');
  const ssh = await sshd.start();
  const s3srv = await s3.start();
  const pgsrv = await postgres.start();

  // What the partner left on their servers: a file in the SFTP home, a bucket with a Parquet export.
  const sftpDir = join(ssh.info.home, 'outgoing-e2e');
  mkdirSync(sftpDir, { recursive: true });
  writeFileSync(join(sftpDir, 'partner-prices.csv'), 'sku,price\nA,1.5\n');
  await s3.createBucket(s3srv.info, 'partner-bucket');
  await s3.testClient(s3srv.info).send(new PutObjectCommand({ Bucket: 'partner-bucket', Key: 'exports/sales-2026.parquet', Body: 'PAR1-not-really' }));

  const work = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  const home = join(work, 'home');
  const local = join(work, 'local');
  mkdirSync(join(local, 'reports'), { recursive: true });
  writeFileSync(join(local, 'orders-2026-11.csv'), 'id,amount\n1,10\n2,20\n');
  writeFileSync(join(local, 'reports', 'summary.csv'), 'total\n30\n');
  const sftpPreviewDir = join(ssh.info.home, `previews-e2e-${process.pid}`);
  mkdirSync(sftpPreviewDir, { recursive: true });
  await writePreviewFiles({ sftpDir: sftpPreviewDir, local, work, s3: s3.testClient(s3srv.info) });
  await writeDatabaseFixtures(pgsrv.info, local);
  execFileSync('chown', ['-R', `${ssh.info.user}:`, sftpDir, sftpPreviewDir]);

  // Its debug log (each API call's method, time and outcome; never an input) goes to a file that
  // scripts/e2e-failures.mjs prints when a test fails: what the server did is then in CI's output.
  mkdirSync(join(root, 'test-results'), { recursive: true });
  const serveLog = openSync(join(root, 'test-results', 'e2e-serve.log'), 'w');
  const serve: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'ferry.js'), 'serve', '--port', '0'], {
    env: { ...process.env, FERRY_HOME: home, FERRY_LOCAL_HOME: local, FERRY_DEBUG: '1' },
    stdio: ['ignore', 'pipe', serveLog],
  });
  closeSync(serveLog);
  const url = await new Promise<string>((res, rej) => {
    let out = '';
    serve.stdout!.on('data', (d) => {
      out += String(d);
      const m = /(http:\/\/127\.0\.0\.1:\d+\/#token=[0-9a-f]+)/.exec(out);
      if (m) res(m[1]);
    });
    serve.once('exit', (code) => rej(new Error(`ferry serve exited with ${code}: ${out}`)));
    setTimeout(() => rej(new Error('ferry serve did not print its URL')), 20_000);
  });

  process.env.FERRY_E2E = JSON.stringify({ url, work, local, home, sftpDir, sftpPreviewDir, sshd: ssh.info, s3: s3srv.info, pg: pgsrv.info });
  return async () => {
    serve.kill('SIGTERM');
    rmSync(sftpDir, { recursive: true, force: true });
    rmSync(sftpPreviewDir, { recursive: true, force: true });
    await ssh.stop();
    await s3srv.stop();
    await pgsrv.stop();
    rmSync(work, { recursive: true, force: true });
  };
}

/**
 * The table files the preview tests open (names in fixtures.ts PREVIEW_FILES): a CSV written by hand on the
 * SFTP server (a NULL, an empty string, leading zeros, one short row) and a generated one of 12,345 rows, a workbook with two sheets on this
 * computer (exceljs), a Parquet file of 20,000 rows in four row groups in S3 and a 120-column one on this computer (DuckDB).
 */
async function writePreviewFiles(at: { sftpDir: string; local: string; work: string; s3: S3Client }): Promise<void> {
  writeFileSync(
    join(at.sftpDir, PREVIEW_FILES.csv),
    [
      'sku,code,qty,price,order_date,shipped,note',
      'A-001,007,3,1.50,2026-11-02,true,first order',
      'B-002,012,12,20.25,2026-11-15,false,',
      'C-003,100,1,3.00,2026-11-30,true,""',
      'D-004,041,7',
      '',
    ].join('\n'),
  );

  const big = ['n,label,value'];
  for (let n = 1; n <= PREVIEW_FILES.bigCsvRows; n++) big.push(`${n},row ${n},${(n / 2).toFixed(1)}`);
  writeFileSync(join(at.sftpDir, PREVIEW_FILES.bigCsv), big.join('\n') + '\n');

  const wb = new ExcelJS.Workbook();
  const orders = wb.addWorksheet('Orders');
  orders.addRow(['order_id', 'customer', 'amount']);
  orders.addRow([1001, 'Acme GmbH', 1250.5]);
  orders.addRow([1002, 'Żabka Sp. z o.o.', 99.99]);
  const customers = wb.addWorksheet('Customers');
  customers.addRow(['customer', 'country', 'since']);
  customers.addRow(['Acme GmbH', 'DE', new Date(Date.UTC(2019, 3, 1))]);
  customers.addRow(['Żabka Sp. z o.o.', 'PL', new Date(Date.UTC(2021, 8, 15))]);
  customers.getColumn(3).numFmt = 'yyyy-mm-dd';
  await wb.xlsx.writeFile(join(at.local, PREVIEW_FILES.xlsx));

  const file = join(at.work, PREVIEW_FILES.parquet);
  const instance = await DuckDBInstance.create(':memory:');
  const duck = await instance.connect();
  await duck.run(
    `COPY (SELECT (i + 1)::BIGINT AS id, 'customer ' || (i % 97) AS customer, ((i + 1) * 1.25)::DECIMAL(10,2) AS amount,
                  DATE '2026-01-01' + (i % 365)::INTEGER AS order_date, i % 2 = 0 AS shipped,
                  CASE WHEN i % 10 = 3 THEN NULL WHEN i % 10 = 4 THEN '' ELSE 'note ' || i END AS note
           FROM range(${PREVIEW_FILES.parquetRows}) t(i))
     TO '${file}' (FORMAT parquet, ROW_GROUP_SIZE 5000, COMPRESSION snappy)`,
  );
  const cols = Array.from({ length: PREVIEW_FILES.wideColumns }, (_, c) => `(i * 1000 + ${c})::INTEGER AS c${c}`).join(', ');
  await duck.run(`COPY (SELECT ${cols} FROM range(1000) t(i)) TO '${join(at.local, PREVIEW_FILES.wide)}' (FORMAT parquet)`);
  duck.closeSync();
  instance.closeSync();
  await at.s3.send(
    new PutObjectCommand({ Bucket: PREVIEW_FILES.bucket, Key: `${PREVIEW_FILES.parquetDir}/${PREVIEW_FILES.parquet}`, Body: readFileSync(file) }),
  );
}

/**
 * What the database tests (e2e/databases.e2e.ts) find: schema DB_E2E.schema with a table of orders (analyzed,
 * so its row estimate is exact) and a stock table with an integer column, and on this computer a CSV of
 * customers (for a new table) and a stock CSV with rows the integer column refuses.
 */
async function writeDatabaseFixtures(info: { host: string; port: number; user: string; password: string; database: string }, local: string): Promise<void> {
  const db = new pg.Client(info);
  await db.connect();
  try {
    const s = DB_E2E.schema;
    await db.query(`CREATE SCHEMA ${s}`);
    await db.query(`CREATE TABLE ${s}.${DB_E2E.orders} (id bigint PRIMARY KEY, customer text NOT NULL, amount numeric(10,2), ordered date)`);
    await db.query(
      `INSERT INTO ${s}.${DB_E2E.orders} SELECT i, 'customer ' || (i % 7), i * 2.5, DATE '2026-01-01' + (i % 300) FROM generate_series(1, ${DB_E2E.ordersRows}) i`,
    );
    await db.query(`ANALYZE ${s}.${DB_E2E.orders}`);
    await db.query(`CREATE TABLE ${s}.${DB_E2E.stock} (sku text, qty integer)`);
  } finally {
    await db.end();
  }
  writeFileSync(join(local, DB_E2E.customersCsv), 'Customer ID,name,since\n1,Acme GmbH,2019-04-01\n2,Żabka Sp. z o.o.,2021-09-15\n3,Initech,2020-01-31\n');
  writeFileSync(join(local, DB_E2E.stockCsv), 'sku,qty\nA-1,3\nB-2,three\nC-3,12\nD-4,4.5\nE-5,7\n');
}
