import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Starts the real servers the e2e tests browse (OpenSSH sshd, the S3 server) and `ferry serve` on a free
 * port with its own FERRY_HOME and a local folder with sample files. Facts go to the tests through env.
 */
export default async function globalSetup() {
  const root = resolve(import.meta.dirname, '..');
  const sshd = await import('../test/servers/sshd');
  const s3 = await import('../test/servers/s3');
  const ssh = await sshd.start();
  const s3srv = await s3.start();

  // What the partner left on their servers: a file in the SFTP home, a bucket with a Parquet export.
  const sftpDir = join(ssh.info.home, 'outgoing-e2e');
  mkdirSync(sftpDir, { recursive: true });
  writeFileSync(join(sftpDir, 'partner-prices.csv'), 'sku,price\nA,1.5\n');
  execFileSync('chown', ['-R', `${ssh.info.user}:`, sftpDir]);
  await s3.createBucket(s3srv.info, 'partner-bucket');
  await s3.testClient(s3srv.info).send(new PutObjectCommand({ Bucket: 'partner-bucket', Key: 'exports/sales-2026.parquet', Body: 'PAR1-not-really' }));

  const work = mkdtempSync(join(tmpdir(), 'ferry-e2e-'));
  const home = join(work, 'home');
  const local = join(work, 'local');
  mkdirSync(join(local, 'reports'), { recursive: true });
  writeFileSync(join(local, 'orders-2026-11.csv'), 'id,amount\n1,10\n2,20\n');
  writeFileSync(join(local, 'reports', 'summary.csv'), 'total\n30\n');

  const serve: ChildProcess = spawn(process.execPath, [join(root, 'bin', 'ferry.js'), 'serve', '--port', '0'], {
    env: { ...process.env, FERRY_HOME: home, FERRY_LOCAL_HOME: local },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
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

  process.env.FERRY_E2E = JSON.stringify({ url, work, local, home, sftpDir, sshd: ssh.info, s3: s3srv.info });
  return async () => {
    serve.kill('SIGTERM');
    rmSync(sftpDir, { recursive: true, force: true });
    await ssh.stop();
    await s3srv.stop();
    rmSync(work, { recursive: true, force: true });
  };
}
