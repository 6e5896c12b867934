import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SshdInfo } from '../servers/sshd';
import { ferry } from '../support/cli';
import { server } from '../support/servers';
import { tempDir } from '../support/temp';

/** The `ferry` command against a real OpenSSH sshd, as a user would type it. */
describe('ferry CLI over SFTP', () => {
  const sshd = server<SshdInfo>('sshd')!;
  const home = tempDir('ferry-cli-');
  const h = home.path;
  const remote = `/ferry-cli-${process.pid}`;
  let fingerprint = '';

  beforeAll(async () => {
    const add = await ferry(['profile', 'add', 'partner', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin'], { home: h, stdin: sshd.password + '\n' });
    expect(add.stderr).toContain('Saved profile "partner"');
    expect(add.code).toBe(0);
  });
  afterAll(async () => {
    await ferry(['rm', '-r', `partner:${sshd.home}${remote}`], { home: h });
    await ferry(['profile', 'rm', 'partner'], { home: h });
    home.cleanup();
  });

  it('stops at an unknown host key, prints its SHA256 fingerprint and how to trust it (exit 1)', async () => {
    const r = await ferry(['ls', 'partner:/'], { home: h });
    expect(r.code).toBe(1);
    const m = /--trust-host-key (SHA256:[A-Za-z0-9+/]+)/.exec(r.stderr);
    expect(m).not.toBeNull();
    fingerprint = m![1];
    expect(Object.values(sshd.hostKeyFingerprints)).toContain(fingerprint);
  });

  it('refuses a --trust-host-key that does not match', async () => {
    const r = await ferry(['--trust-host-key', 'SHA256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA', 'ls', 'partner:/'], { home: h });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('not known yet');
  });

  it('pins a matching key with --trust-host-key, then lists without it', async () => {
    const first = await ferry(['--trust-host-key', fingerprint, 'ls', `partner:${sshd.home}`], { home: h });
    expect(first.code).toBe(0);
    expect(readFileSync(join(h, 'known_hosts'), 'utf8')).toContain(`[${sshd.host}]:${sshd.port}`);
    const again = await ferry(['mkdir', `partner:${sshd.home}${remote}/in/deep`], { home: h });
    expect(again.code).toBe(0);
  });

  it('ls --json has the documented stable shape', async () => {
    const r = await ferry(['ls', '--json', `partner:${sshd.home}${remote}`], { home: h });
    expect(r.code).toBe(0);
    const entries = JSON.parse(r.stdout);
    expect(entries).toEqual([{ name: 'in', path: `${sshd.home}${remote}/in`, type: 'dir', size: expect.any(Number), modified: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/) }]);
  });

  it('mv renames and moves into a folder; rm -r deletes; a relative path starts at the remote home', async () => {
    expect((await ferry(['mkdir', `partner:${remote.slice(1)}/out`], { home: h })).code).toBe(0);
    expect((await ferry(['mv', `partner:${remote.slice(1)}/out`, `partner:${remote.slice(1)}/in`], { home: h })).code).toBe(0);
    const ls = await ferry(['ls', `partner:${sshd.home}${remote}/in`], { home: h });
    expect(ls.stdout.split('\n').filter(Boolean).sort()).toEqual(['deep/', 'out/']);
    const notEmpty = await ferry(['rm', `partner:${sshd.home}${remote}/in`], { home: h });
    expect(notEmpty.code).toBe(2);
    expect(notEmpty.stderr).toContain('rm -r');
    expect((await ferry(['rm', '-r', `partner:${sshd.home}${remote}/in`], { home: h })).code).toBe(0);
    const after = await ferry(['ls', '--json', `partner:${sshd.home}${remote}`], { home: h });
    expect(JSON.parse(after.stdout)).toEqual([]);
  });

  it('profile test reports each step; a wrong password fails in plain words', async () => {
    const ok = await ferry(['profile', 'test', 'partner'], { home: h });
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/ok\s+connect/);
    await ferry(['profile', 'add', 'wrongpw', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin'], { home: h, stdin: 'not-the-password\n' });
    const bad = await ferry(['profile', 'test', 'wrongpw'], { home: h });
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('Authentication failed');
    expect(bad.stderr + bad.stdout).not.toContain('not-the-password');
  });

  it('keeps the password out of the store, the profile listing and its JSON', async () => {
    const list = await ferry(['profile', 'list', '--json'], { home: h });
    const show = await ferry(['profile', 'show', 'partner', '--json'], { home: h });
    expect(JSON.parse(show.stdout)).toMatchObject({ name: 'partner', type: 'sftp', secretsSet: ['password'] });
    expect(list.stdout + show.stdout).not.toContain(sshd.password);
    for (const f of readdirSync(h)) expect(readFileSync(join(h, f)).includes(Buffer.from(sshd.password))).toBe(false);
  });

  it('refuses a changed host key, in words, with exit 1', async () => {
    const h2 = tempDir('ferry-cli-changed-');
    try {
      await ferry(['profile', 'add', 'pp', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin'], { home: h2.path, stdin: sshd.password });
      // A different ed25519 key pinned for this host:port, as after a server was replaced.
      writeFileSync(join(h2.path, 'known_hosts'), `[${sshd.host}]:${sshd.port} ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl\n`);
      // Even the right fingerprint passed up front does not override a changed key.
      const r = await ferry(['--trust-host-key', fingerprint, 'ls', 'pp:/'], { home: h2.path });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain('CHANGED');
    } finally {
      h2.cleanup();
    }
  });

  it('usage errors exit 2; secrets cannot be given as plain arguments', async () => {
    expect((await ferry(['ls', '--bogus'], { home: h })).code).toBe(2);
    const r = await ferry(['profile', 'add', 'x', '--type', 'sftp', '--host', 'h', '--user', 'u', '--password', 'hunter2'], { home: h });
    expect(r.code).toBe(2);
  });

  it('adds a profile with a PEM key and passphrase from stdin, and one from ~/.ssh/config', async () => {
    const key = await ferry(['profile', 'add', 'bykey', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--key', sshd.keys.rsaPem.path, '--passphrase-stdin'], { home: h, stdin: sshd.keys.rsaPem.passphrase });
    expect(key.code).toBe(0);
    expect((await ferry(['ls', `bykey:${sshd.home}`], { home: h })).code).toBe(0);
    const cfg = join(h, 'ssh_config');
    writeFileSync(cfg, `Host partner-imported\n  HostName ${sshd.host}\n  Port ${sshd.port}\n  User ${sshd.user}\n  IdentityFile ${sshd.keys.ed25519.path}\n\nHost *.internal\n  User x\n`);
    const imp = await ferry(['profile', 'import-ssh-config', cfg, '--json'], { home: h });
    expect(imp.code).toBe(0);
    const out = JSON.parse(imp.stdout);
    expect(out.imported.map((p: { name: string }) => p.name)).toEqual(['partner-imported']);
    expect(out.skipped[0].host).toBe('*.internal');
    expect((await ferry(['ls', `partner-imported:${sshd.home}`], { home: h })).code).toBe(0);
  });

  it('without a keychain says so, keeps nothing on disk, and takes the secret from the environment', async () => {
    const h3 = tempDir('ferry-cli-nokeychain-');
    const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/bus' };
    try {
      const add = await ferry(['profile', 'add', 'nk', '--type', 'sftp', '--host', sshd.host, '--port', String(sshd.port), '--user', sshd.user, '--password-stdin'], { home: h3.path, stdin: sshd.password, env: noBus });
      expect(add.code).toBe(0);
      expect(add.stderr).toContain('in memory for this run only (no keychain)');
      const ls = await ferry(['--trust-host-key', fingerprint, 'ls', `nk:${sshd.home}`], { home: h3.path, env: noBus });
      expect(ls.code).toBe(1);
      expect(ls.stderr).toContain('Secret required');
      const withEnv = await ferry(['--trust-host-key', fingerprint, 'ls', `nk:${sshd.home}`], { home: h3.path, env: { ...noBus, FERRY_SECRET_PASSWORD: sshd.password } });
      expect(withEnv.code).toBe(0);
      for (const f of readdirSync(h3.path)) expect(readFileSync(join(h3.path, f)).includes(Buffer.from(sshd.password))).toBe(false);
    } finally {
      h3.cleanup();
    }
  });
});
