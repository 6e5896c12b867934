import { mkdirSync, rmSync, writeFileSync, chownSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { sftpManifest } from '../../electron/core/connectors/sftp';
import { withTimeouts } from '../../electron/core/connectors/timeouts';
import type { Connector } from '../../electron/core/connectors/types';
import { FileTrustStore } from '../../electron/core/trust/file-trust-store';
import { freezeSessions, startPrivateSshd, type SshdInfo } from '../servers/sshd';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/**
 * Every connector call carries a timeout (connectors/timeouts.ts, applied by the endpoint pool): against a
 * real OpenSSH server whose session processes are frozen (SIGSTOP: the connection stays open, nothing
 * answers), a stat and a read fail as retryable TIMEOUT naming the call; a reader its consumer paused is not
 * timed out. Timeouts are shortened to 1 s here.
 */
let sshd: { info: SshdInfo; stop(): Promise<void> };
let remote: string;
const trustDir = tempDir('ferry-timeouts-trust-');
const open: Connector[] = [];
const T = { callMs: 1000, longCallMs: 1000, idleMs: 1000 };

beforeAll(async () => {
  const base = server<SshdInfo>('sshd');
  if (!base) throw new Error('the sshd test server (OpenSSH) did not start');
  sshd = await startPrivateSshd(base);
  remote = join(base.home, `ferry-timeouts-${process.pid}`);
  mkdirSync(remote, { recursive: true });
  writeFileSync(join(remote, 'big.bin'), Buffer.alloc(8 * 1024 * 1024, 7));
  const [uid, gid] = ['-u', '-g'].map((f) => Number(execFileSync('id', [f, base.user], { encoding: 'utf8' })));
  chownSync(remote, uid, gid);
});
afterAll(async () => {
  freezeSessions(sshd.info, 'SIGCONT');
  for (const c of open) await c.close().catch(() => {});
  await sshd?.stop();
  rmSync(remote, { recursive: true, force: true });
  trustDir.cleanup();
});

async function connect(): Promise<Connector> {
  const s = sshd.info;
  const trust = new FileTrustStore(trustDir.path, null);
  trust.pin({ kind: 'ssh', host: s.host, port: s.port, keyType: 'ssh-ed25519', fingerprint: s.hostKeyFingerprints.ed25519, key: s.hostKeys.ed25519 });
  const c = await sftpManifest.connect({
    profile: { id: 'frozen', name: 'frozen-sshd', options: { host: s.host, port: s.port, user: s.user, auth: 'password' } },
    secret: async () => s.password,
    trust,
    log: { debug() {}, info() {}, warn() {} },
  });
  open.push(c);
  return withTimeouts(c, 'frozen-sshd', T);
}

it('a call to a server that stopped answering fails as a retryable TIMEOUT naming the call, the path and the endpoint', async () => {
  const c = await connect();
  expect((await c.stat(join(remote, 'big.bin'))).size).toBe(8 * 1024 * 1024);
  freezeSessions(sshd.info, 'SIGSTOP');
  try {
    await expect(c.stat(join(remote, 'big.bin'))).rejects.toMatchObject({
      code: 'TIMEOUT',
      retryable: true,
      message: `Timed out after 1 s: stat ${join(remote, 'big.bin')} on frozen-sshd`,
    });
  } finally {
    freezeSessions(sshd.info, 'SIGCONT');
  }
});

it('a read whose server stops sending fails as TIMEOUT; a read its consumer paused is left alone', async () => {
  const c = await connect();
  // Paused by its consumer for three times the idle limit: then read to the end, whole.
  const paused = await c.read(join(remote, 'big.bin'));
  await new Promise((r) => setTimeout(r, 3000));
  let total = 0;
  for await (const chunk of paused) total += (chunk as Buffer).length;
  expect(total).toBe(8 * 1024 * 1024);

  const stream = await c.read(join(remote, 'big.bin'));
  const it = stream[Symbol.asyncIterator]();
  await it.next();
  freezeSessions(sshd.info, 'SIGSTOP');
  try {
    const drained = (async () => {
      for (;;) if ((await it.next()).done) return null;
    })();
    await expect(drained).rejects.toMatchObject({ code: 'TIMEOUT', message: `Timed out after 1 s: read ${join(remote, 'big.bin')} (no data) on frozen-sshd` });
  } finally {
    freezeSessions(sshd.info, 'SIGCONT');
  }
});

it('a write whose source is destroyed before its end fails at once as a retryable CONNECTION_LOST', async () => {
  const c = await connect();
  // The engine's cancel destroys the source without an error. The write used to wait for ever: with nothing
  // left to offer the writer, the idle watch (1 s here) never fired.
  const source = new Readable({ read() {} });
  source.push(Buffer.alloc(10_000, 1));
  const writing = c.write(join(remote, 'cut-short.bin'), source, { size: 100_000 });
  setTimeout(() => source.destroy(), 50);
  await expect(writing).rejects.toMatchObject({ code: 'CONNECTION_LOST', retryable: true, message: `The data for ${join(remote, 'cut-short.bin')} stopped before its end` });
  // The connection is still good for the next call.
  expect((await c.stat(join(remote, 'big.bin'))).size).toBe(8 * 1024 * 1024);
});
