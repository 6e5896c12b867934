import { execFileSync } from 'node:child_process';
import { chownSync, mkdirSync, readdirSync, rmdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, expect, it } from 'vitest';
import { localManifest } from '../../electron/core/connectors/local';
import { sftpManifest } from '../../electron/core/connectors/sftp';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import type { SshdInfo } from '../servers/sshd';
import { server } from '../support/servers';
import { bytes, cleanup, makeHarness, tmp, writeTree, type Harness } from './support';

/**
 * A destination disk that fills up mid-job: a real 1 MiB tmpfs mounted for the test (the tests run as root,
 * as the servers they start need). Six files of 300 kB: three fit, the fourth fills the disk.
 */
let h: Harness | undefined;
const dirs: string[] = [];
const mounts: string[] = [];
afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const m of mounts.splice(0)) {
    execFileSync('umount', [m]);
    rmdirSync(m);
  }
  cleanup(...dirs.splice(0));
});

function smallDisk(bytesSize: number, under = tmp('ferry-disk-')): string {
  const dir = join(under, 'mnt');
  dirs.push(under);
  mkdirSync(dir, { recursive: true });
  execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${bytesSize}`, 'tmpfs', dir]);
  mounts.push(dir);
  return dir;
}

const sixFiles = () => {
  const src = tmp('ferry-src-');
  dirs.push(src);
  writeTree(src, Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`f${i}.bin`, bytes(300_000)])));
  return src;
};

it('a full local disk fails the job at once as QUOTA_EXCEEDED naming the path, tries no other file, and leaves no temp file', async () => {
  const src = sixFiles();
  const dst = smallDisk(1024 * 1024);
  h = makeHarness({ extra: { other: { ...localManifest, type: 'local' } } });
  const job = await h.engine.create({
    spec: { kind: 'copy', source: { endpoint: 'other', paths: [`${src}/*`] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', transfers: 1 },
  });
  const end = await h.engine.wait(job.id);
  expect(end.state).toBe('failed');
  expect(end.error).toMatchObject({ code: 'QUOTA_EXCEEDED' });
  expect(end.error?.message).toContain(dst);
  const files = h.engine.get(job.id).files;
  expect(files.map((f) => f.state)).toEqual(['done', 'done', 'done', 'failed', 'pending', 'pending']);
  expect(files[3].error).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining(join(dst, '.f3.bin')) });
  expect(files[3].attempts).toBe(1);
  expect(readdirSync(dst).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin']);
});

it('a full disk on an SFTP server (OpenSSH says only "Failure") is QUOTA_EXCEEDED too: the job stops, no temp file is left behind', async () => {
  const sshd = server<SshdInfo>('sshd');
  if (!sshd) throw new Error('the sshd test server (OpenSSH) did not start');
  const src = sixFiles();
  // A 1 MiB disk inside the test user's home, owned by that user: the SFTP session writes as them.
  const dst = smallDisk(1024 * 1024, join(sshd.home, `ferry-disk-${process.pid}-${Date.now()}`));
  const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, sshd.user], { encoding: 'utf8' })));
  chownSync(dst, uid, gid);
  const trustDir = tmp('ferry-trust-');
  dirs.push(trustDir);
  const trust = new FileTrustStore(trustDir, null);
  trust.pin({ kind: 'ssh', host: sshd.host, port: sshd.port, keyType: 'ssh-ed25519', fingerprint: sshd.hostKeyFingerprints.ed25519, key: sshd.hostKeys.ed25519 });
  const sftp = { manifest: sftpManifest, options: { host: sshd.host, port: sshd.port, user: sshd.user, auth: 'password' }, secrets: { password: sshd.password } };
  h = makeHarness({ extra: { sftp }, trust });
  const job = await h.engine.create({
    spec: { kind: 'copy', source: { endpoint: 'local', paths: [`${src}/*`] }, destination: { endpoint: 'sftp', path: dst }, conflict: 'overwrite', transfers: 1 },
  });
  const end = await h.engine.wait(job.id);
  expect(end.state).toBe('failed');
  expect(end.error).toMatchObject({ code: 'QUOTA_EXCEEDED', message: expect.stringContaining(`Disk full: cannot write ${join(dst, '.f3.bin')}`) });
  const files = h.engine.get(job.id).files;
  expect(files.map((f) => f.state)).toEqual(['done', 'done', 'done', 'failed', 'pending', 'pending']);
  expect(readdirSync(dst).sort()).toEqual(['f0.bin', 'f1.bin', 'f2.bin']);
});
