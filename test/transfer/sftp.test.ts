import { execFileSync } from 'node:child_process';
import { appendFileSync, chownSync, mkdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { sftpManifest } from '../../electron/core/connectors/sftp';
import type { ConnectorManifest } from '../../electron/core/connectors/types';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import { cutSessions, startPrivateSshd, type SshdInfo } from '../servers/sshd';
import { server } from '../support/servers';
import { bytes, changingOnFirstRead, cleanup, makeHarness, readTree, tempOf, tmp, until, writeTree, type Harness } from './support';

/**
 * The engine against a real OpenSSH server of its own (startPrivateSshd: its log and its sessions are this
 * file's alone): a wrong password fails the job at once, a connection cut mid-file is retried and resumed.
 */
let sshd: { info: SshdInfo; stop(): Promise<void> };
let trustDir: string;
let remote: string;
let h: Harness | undefined;
const dirs: string[] = [];

beforeAll(async () => {
  const base = server<SshdInfo>('sshd');
  if (!base) throw new Error('the sshd test server (OpenSSH) did not start');
  sshd = await startPrivateSshd(base);
  trustDir = tmp('ferry-trust-');
  // A folder of the test user's own, where the SFTP session (running as that user) may write.
  remote = join(base.home, `ferry-transfer-${process.pid}-${Date.now()}`);
  mkdirSync(remote);
  const uid = Number(execFileSync('id', ['-u', base.user], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', base.user], { encoding: 'utf8' }));
  chownSync(remote, uid, gid);
});
afterAll(async () => {
  await sshd?.stop();
  rmSync(remote, { recursive: true, force: true });
  cleanup(trustDir);
});
afterEach(async () => {
  await h?.close();
  h = undefined;
  cleanup(...dirs.splice(0));
});

function harness(password: string, manifest: ConnectorManifest = sftpManifest): Harness {
  const s = sshd.info;
  const trust = new FileTrustStore(trustDir, null);
  trust.pin({ kind: 'ssh', host: s.host, port: s.port, keyType: 'ssh-ed25519', fingerprint: s.hostKeyFingerprints.ed25519, key: s.hostKeys.ed25519 });
  const profile = { manifest, options: { host: s.host, port: s.port, user: s.user, auth: 'password' }, secrets: { password } };
  return makeHarness({ extra: { sftp: profile }, trust });
}

const failedPasswords = () => (readFileSync(sshd.info.logPath, 'utf8').match(/Failed password/g) ?? []).length;

describe('transfers against a real SFTP server', () => {
  it('a wrong password fails the job at once, with a clear error and no retry storm', async () => {
    h = harness('not-the-password');
    const src = tmp('ferry-src-');
    dirs.push(src);
    writeTree(src, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    const before = failedPasswords();
    const started = Date.now();
    const job = await h.engine.create({
      spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 'sftp', path: join(remote, 'auth') }, conflict: 'overwrite' },
    }).catch((e) => e);
    // Planning lists the destination first: the job is refused before anything is queued.
    expect(job).toMatchObject({ code: 'AUTH_FAILED' });
    expect(Date.now() - started).toBeLessThan(15_000);
    await until(() => failedPasswords() > before, 5000, 'sshd logging the failed password');
    expect(failedPasswords() - before).toBeLessThanOrEqual(2);
  });

  it('a wrong password during a run (a stored plan) fails the job fast: at most one try per connection slot', async () => {
    h = harness(sshd.info.password);
    const src = tmp('ferry-src-');
    dirs.push(src);
    writeTree(src, Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    const plan = await h.engine.plan({ kind: 'copy', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 'sftp', path: join(remote, 'auth2') }, conflict: 'overwrite' });
    // The password changes between plan and run (the new engine, same database, knows a wrong one).
    await h.close();
    const dir = h.dir;
    h = makeHarnessWrong(dir);
    const before = failedPasswords();
    const job = await h.engine.wait((await h.engine.create({ planId: plan.id })).id);
    expect(job).toMatchObject({ state: 'failed', error: { code: 'AUTH_FAILED' } });
    const files = h.engine.get(job.id).files;
    expect(files.filter((f) => f.state === 'failed').length).toBeLessThanOrEqual(4);
    expect(files.filter((f) => f.state === 'pending').length).toBeGreaterThanOrEqual(16);
    expect(files.every((f) => f.attempts <= 1)).toBe(true);
    await until(() => failedPasswords() > before, 5000, 'sshd logging the failed password');
    expect(failedPasswords() - before).toBeLessThanOrEqual(4);
  });

  it('a connection cut mid-upload is retried and the upload continues from the partial remote file', async () => {
    h = harness(sshd.info.password);
    const src = tmp('ferry-src-');
    dirs.push(src);
    const content = bytes(3_000_000);
    writeTree(src, { 'big.bin': content });
    const dst = join(remote, 'cut-up');
    const job = await h.engine.create({
      spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, 'big.bin')] }, destination: { endpoint: 'sftp', path: dst }, conflict: 'overwrite', bwlimit: 1_500_000 },
    });
    await until(() => {
      try {
        return statSync(join(dst, tempOf('big.bin', job.id))).size > 700_000;
      } catch {
        return false;
      }
    }, 15_000, 'the remote partial file');
    cutSessions(sshd.info);
    const done = await h.engine.wait(job.id);
    expect(done.state).toBe('done');
    const f = h.engine.details(job.id).files[0];
    expect(f.attempts).toBeGreaterThanOrEqual(1);
    expect(f.resumedFrom).toBeGreaterThan(500_000);
    // SFTP reports no hash and Ferry does not download the file again to check it: verified by size, and said so.
    expect(f.verified).toBe('size');
    expect(readFileSync(join(dst, 'big.bin')).equals(content)).toBe(true);
  });

  it('a connection cut mid-download resumes too, and the local copy is whole (verified by size: neither side reports a hash)', async () => {
    h = harness(sshd.info.password);
    const dst = tmp('ferry-dst-');
    dirs.push(dst);
    // Large enough that the connector's read-ahead cannot hold the rest of the file when the cut comes.
    const content = bytes(16_000_000);
    const from = join(remote, 'cut-down');
    mkdirSync(from);
    writeTree(from, { 'big.bin': content });
    const job = await h.engine.create({
      spec: { kind: 'copy', source: { endpoint: 'sftp', paths: [join(from, 'big.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', bwlimit: 5_000_000 },
    });
    await until(() => {
      try {
        return statSync(join(dst, tempOf('big.bin', job.id))).size > 700_000;
      } catch {
        return false;
      }
    }, 15_000, 'the local partial file');
    cutSessions(sshd.info);
    const done = await h.engine.wait(job.id);
    expect(done.state).toBe('done');
    const f = h.engine.details(job.id).files[0];
    expect(f.attempts).toBeGreaterThanOrEqual(1);
    expect(f.resumedFrom).toBeGreaterThan(500_000);
    expect(f.verified).toBe('size');
    expect(readFileSync(join(dst, 'big.bin')).equals(content)).toBe(true);
  });
});

// The file is several times the connector's read-ahead (64 READs of 32 KiB), so most of it is read after the change.
describe('the source re-check of SFTP downloads (its facts come with the last READ, no stat of their own)', () => {
  const download = async (name: string, content: Buffer, change: (path: string) => void) => {
    h = harness(sshd.info.password, changingOnFirstRead(sftpManifest, change));
    const from = join(remote, name);
    mkdirSync(from);
    writeTree(from, { 'f.bin': content });
    const dst = tmp('ferry-dst-');
    dirs.push(dst);
    const job = await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'sftp', paths: [join(from, 'f.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite' } });
    const done = await h.engine.wait(job.id);
    return { done, file: h.engine.get(job.id).files[0], local: join(dst, 'f.bin') };
  };

  it('a source that grows while it downloads fails that try ("source changed during copy"); the next try copies it whole', async () => {
    const original = bytes(8_000_000);
    const tail = bytes(300_000);
    const { done, file, local } = await download('grows', original, (p) => appendFileSync(p, tail));
    expect(done.state).toBe('done');
    expect(file).toMatchObject({ state: 'done', attempts: 1, size: 8_300_000 });
    expect(readFileSync(local).equals(Buffer.concat([original, tail]))).toBe(true);
  });

  it('a source rewritten in place (same size, a new time) is never delivered as a mix of the two versions', async () => {
    const next = bytes(8_000_000).map((b) => b ^ 0xff);
    const { done, file, local } = await download('rewritten', bytes(8_000_000), (p) => {
      writeFileSync(p, next);
      const later = new Date(Date.now() + 120_000);
      utimesSync(p, later, later);
    });
    expect(done.state).toBe('done');
    expect(file).toMatchObject({ state: 'done', attempts: 1, size: 8_000_000 });
    expect(readFileSync(local).equals(next)).toBe(true);
  });
});

const logins = () => (readFileSync(sshd.info.logPath, 'utf8').match(/Accepted password for/g) ?? []).length;

describe('small files share SSH connections (capabilities.sharedTransfers), large ones get their own', () => {
  const remoteTree = (name: string, files: Record<string, Buffer>) => {
    const from = join(remote, name);
    mkdirSync(from);
    writeTree(from, files);
    return from;
  };
  const copyFrom = async (from: string, extra: { bwlimit?: number } = {}) => {
    const dst = tmp('ferry-dst-');
    dirs.push(dst);
    const job = await h!.engine.create({ spec: { kind: 'copy', source: { endpoint: 'sftp', paths: [from] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', recursive: true, transfers: 4, ...extra } });
    return { job, dst };
  };
  /** Downloads a tree made of `files` with a fresh harness: every file done and arriving byte for byte; the logins it took. */
  const downloadTree = async (name: string, files: Record<string, Buffer>) => {
    const from = remoteTree(name, files);
    h = harness(sshd.info.password);
    const before = logins();
    const { job, dst } = await copyFrom(from);
    expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: Object.keys(files).length });
    const got = readTree(join(dst, name));
    for (const [n, b] of Object.entries(files)) expect(Buffer.from(got[n], 'latin1').equals(b)).toBe(true);
    return { got, loginsUsed: logins() - before };
  };

  it('a download of 40 small files with 4 transfers logs in once: the four files in flight share that connection', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.bin`, bytes(20_000 + i)]));
    const { got, loginsUsed } = await downloadTree('shared-down', files);
    expect(Object.keys(got).sort()).toEqual(Object.keys(files).sort());
    // The plan's listing and all 40 files: one connection (with one each, it was four).
    expect(loginsUsed).toBe(1);
  });

  it('files over 4 MiB get a connection of their own, beside the shared one', async () => {
    const files = { 'a.bin': bytes(5_000_000), 'b.bin': bytes(5_000_001), 's1.bin': bytes(1000), 's2.bin': bytes(2000) };
    const { loginsUsed } = await downloadTree('own-conn', files);
    expect(loginsUsed).toBeGreaterThanOrEqual(2);
  });

  it('a connection cut while several files share it loses none and duplicates none: they are retried and each lands once', async () => {
    const files = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`f${i}.bin`, bytes(150_000 + i)]));
    const from = remoteTree('shared-cut', files);
    h = harness(sshd.info.password);
    const { job, dst } = await copyFrom(from, { bwlimit: 2_000_000 });
    await until(() => h!.engine.get(job.id).files.filter((f) => f.state === 'done').length >= 4, 15_000, 'the first files done');
    cutSessions(sshd.info);
    expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 40, failedFiles: 0 });
    const rows = h.engine.get(job.id).files;
    expect(rows.some((f) => f.attempts > 0)).toBe(true);
    const got = readTree(join(dst, 'shared-cut'));
    // Exactly the 40 names: no renamed second copy, no temp file left.
    expect(Object.keys(got).sort()).toEqual(Object.keys(files).sort());
    for (const [n, b] of Object.entries(files)) expect(Buffer.from(got[n], 'latin1').equals(b)).toBe(true);
  });

  it('an upload of small files shares too, and stores each exactly once', async () => {
    const src = tmp('ferry-src-');
    dirs.push(src);
    const files = Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`u${i}.txt`, `upload ${i}`.repeat(50 + i)]));
    writeTree(src, files);
    h = harness(sshd.info.password);
    const before = logins();
    const to = join(remote, 'shared-up');
    const job = await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [join(src, '*')] }, destination: { endpoint: 'sftp', path: to }, conflict: 'overwrite', transfers: 4 } });
    expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 30 });
    expect(readTree(to)).toEqual(files);
    expect(logins() - before).toBe(1);
  });
});

function makeHarnessWrong(dir: string): Harness {
  const s = sshd.info;
  const trust = new FileTrustStore(trustDir, null);
  const profile = { manifest: sftpManifest, options: { host: s.host, port: s.port, user: s.user, auth: 'password' }, secrets: { password: 'not-the-password' } };
  return makeHarness({ dir, extra: { sftp: profile }, trust });
}
