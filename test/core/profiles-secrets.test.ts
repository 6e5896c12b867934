import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { FerryCore } from '../../electron/core/app';
import { SecretVault } from '../../electron/core/secrets/vault';
import { tempDir } from '../support/temp';

// These run against the real Secret Service (gnome-keyring in the private D-Bus session the test command starts).
const SECRET = 'pa55-word-that-must-never-be-on-disk';

function filesContaining(dir: string, needle: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((d) => d.isFile())
    .map((d) => join(d.parentPath, d.name))
    .filter((f) => readFileSync(f).includes(Buffer.from(needle)));
}

const execFileP = promisify(execFile);

describe('profiles and secrets', () => {
  let home: ReturnType<typeof tempDir>;
  let core: FerryCore;
  beforeEach(() => {
    home = tempDir();
    core = new FerryCore({ home: home.path });
  });
  afterEach(async () => {
    await core.close();
    home.cleanup();
  });

  it('the keychain is the real Secret Service in tests', async () => {
    const status = await core.vault.status();
    expect(status).toMatchObject({ available: true, backend: 'Secret Service' });
  });

  it('keeps the password in the keychain and never in the store files', async () => {
    const p = await core.handlers['profiles.create']({
      name: 'partner',
      type: 'sftp',
      options: { host: 'sftp.example.com', user: 'ana', auth: 'password' },
      secrets: { password: SECRET },
    });
    expect(p.secretsSet).toEqual(['password']);
    expect(JSON.stringify(p)).not.toContain(SECRET);
    // A second process (new vault) reads it back from the OS keychain.
    expect(await new SecretVault().get(p.id, 'password')).toBe(SECRET);
    core.db.pragma('wal_checkpoint(TRUNCATE)');
    expect(filesContaining(home.path, SECRET)).toEqual([]);
    const listed = await core.handlers['profiles.list']({});
    expect(JSON.stringify(listed)).not.toContain(SECRET);
  });

  it('closing the core waits for a keychain read still going, so no process leaves in the middle of a Secret Service call', async () => {
    const p = await core.handlers['profiles.create']({ name: 'early', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
    // As a connect's read ahead of the connector, whose command then ends before asking for it.
    const vault = new SecretVault();
    let answered: string | undefined;
    void vault.get(p.id, 'password').then((v) => (answered = v));
    await vault.settle();
    // Only what is already queued runs here: a read still waiting for D-Bus (tens of ms) would not be answered.
    await new Promise((resolve) => setImmediate(resolve));
    expect(answered).toBe(SECRET);
  });

  it('deleting a profile deletes its keychain secrets', async () => {
    const p = await core.handlers['profiles.create']({ name: 'gone', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
    await core.handlers['profiles.remove']({ id: p.id });
    expect(await new SecretVault().get(p.id, 'password')).toBeUndefined();
  });

  it('duplicates a profile with its secrets under a new name', async () => {
    const p = await core.handlers['profiles.create']({ name: 'orig', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
    const copy = await core.handlers['profiles.duplicate']({ id: p.id });
    expect(copy.name).toBe('orig copy');
    expect(await core.vault.get(copy.id, 'password')).toBe(SECRET);
  });

  it('refuses a secret inside options, unknown options and missing required ones, naming the field', async () => {
    await expect(core.handlers['profiles.create']({ name: 'x', type: 'sftp', options: { host: 'h', user: 'u', password: 'p' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      detail: { option: 'password' },
    });
    await expect(core.handlers['profiles.create']({ name: 'x', type: 'sftp', options: { host: 'h', user: 'u', colour: 'red' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      detail: { option: 'colour' },
    });
    await expect(core.handlers['profiles.create']({ name: 'x', type: 'sftp', options: { user: 'u' } })).rejects.toMatchObject({
      code: 'INVALID_INPUT',
      detail: { option: 'host' },
    });
    expect(await core.handlers['profiles.list']({})).toEqual([]);
  });

  it('a saved secret the keychain answers as none is read again (a Secret Service restarting mid-read answers so)', async () => {
    const p = await core.handlers['profiles.create']({ name: 'flaky', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
    // The first read finds nothing (as when gnome-keyring-daemon aborted during it); right after it answered,
    // the secret is there again (the restarted daemon, on the same unlocked keyring).
    await new SecretVault().delete(p.id, 'password');
    const read = core.vault.get.bind(core.vault);
    const answers: Array<string | undefined> = [];
    core.vault.get = async (id, name) => {
      const v = await read(id, name);
      if (answers.push(v) === 1) await new SecretVault().set(p.id, 'password', SECRET);
      return v;
    };
    const ctx = (core as unknown as { connectContext(p: unknown): { secret(n: string, o?: { prompt?: boolean }): Promise<string | undefined> } }).connectContext(p);
    expect(await ctx.secret('password', { prompt: false })).toBe(SECRET);
    expect(answers).toEqual([undefined, SECRET]);
  });

  it('connections opened together read a secret from the keychain once; a secret saved again is read anew', async () => {
    const p = await core.handlers['profiles.create']({ name: 'many', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
    const vault = new SecretVault();
    const keychain = vault as unknown as { readKeychain(key: string): Promise<string | undefined> };
    const readKeychain = keychain.readKeychain.bind(vault);
    let reads = 0;
    keychain.readKeychain = (key) => (reads++, readKeychain(key));
    // As a 16-transfer job's connections to one endpoint, then one more a moment later.
    expect(await Promise.all(Array.from({ length: 16 }, () => vault.get(p.id, 'password')))).toEqual(Array(16).fill(SECRET));
    expect(await vault.get(p.id, 'password')).toBe(SECRET);
    expect(reads).toBe(1);
    await vault.set(p.id, 'password', 'the-new-one');
    expect(await vault.get(p.id, 'password')).toBe('the-new-one');
    await vault.delete(p.id, 'password');
    expect(await vault.get(p.id, 'password')).toBeUndefined();
    expect(reads).toBe(3);
  });

  it('refuses a duplicate profile name', async () => {
    await core.handlers['profiles.create']({ name: 'dup', type: 'sftp', options: { host: 'h', user: 'u', auth: 'agent' } });
    await expect(core.handlers['profiles.create']({ name: 'DUP', type: 'sftp', options: { host: 'h', user: 'u', auth: 'agent' } })).rejects.toMatchObject({ code: 'ALREADY_EXISTS' });
  });
});

describe('without a keychain', () => {
  it('says so, and holds secrets in memory only: nothing on disk, gone in the next process', async () => {
    const home = tempDir();
    const core = new FerryCore({ home: home.path, disableKeychain: true });
    try {
      const status = await core.vault.status();
      expect(status.available).toBe(false);
      expect(status.reason).toMatch(/memory/);
      const p = await core.handlers['profiles.create']({ name: 'mem', type: 'sftp', options: { host: 'h', user: 'u', auth: 'password' }, secrets: { password: SECRET } });
      expect(await core.vault.get(p.id, 'password')).toBe(SECRET);
      core.db.pragma('wal_checkpoint(TRUNCATE)');
      expect(filesContaining(home.path, SECRET)).toEqual([]);
      expect(await new SecretVault({ disableKeychain: true }).get(p.id, 'password')).toBeUndefined();
    } finally {
      await core.close();
      home.cleanup();
    }
  });
});

describe('with no Secret Service reachable', () => {
  it('a read answers "no secret" (the session has none), not an error', async () => {
    // In a process of its own: the keychain library keeps its bus connection for the process.
    const vaultPath = JSON.stringify(new URL('../../electron/core/secrets/vault.ts', import.meta.url).pathname);
    const script = `import { SecretVault } from ${vaultPath};
      const vault = new SecretVault();
      const before = await vault.get('some-profile', 'password');
      const status = await vault.status();
      vault.provide('some-profile', 'password', 'given');
      console.log(JSON.stringify({ before: before ?? null, available: status.available, after: await vault.get('some-profile', 'password') }));`;
    const { stdout } = await execFileP(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      env: { ...process.env, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/ferry-test-bus' },
    });
    expect(JSON.parse(stdout)).toEqual({ before: null, available: false, after: 'given' });
  });
});
