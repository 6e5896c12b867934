import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '..', '..');

/**
 * gnome-keyring-daemon can abort with a client's call in flight (upstream GNOME/gnome-keyring #196); the
 * session bus starts it again on the next call. A profile saved at that moment must still be saved. The
 * script runs in a keyring session of its own (the daemon it kills is not the one other tests use).
 */
describe('the keychain restarting', () => {
  it('a secret stored while the Secret Service dies mid-call is stored once it is back, and reads back', async () => {
    const env: NodeJS.ProcessEnv = { ...process.env };
    delete env.FERRY_KEYRING_SESSION;
    const { stdout } = await promisify(execFile)(
      'bash',
      [join(ROOT, 'scripts', 'with-keyring.sh'), process.execPath, '--import', 'tsx', join(ROOT, 'test', 'core', 'fixtures', 'keychain-restart.ts')],
      { env, cwd: ROOT, timeout: 60_000 },
    );
    const r = JSON.parse(stdout.trim().split('\n').pop()!) as { direct: string; vaultSet: string; readBack: string };
    // The same kill fails a plain keychain call: the vault's store below really met a dead daemon.
    expect(r.direct).toMatch(/^failed: /);
    expect(r.vaultSet).toBe('stored');
    expect(r.readBack).toBe('kept-across-a-restart');
  });
});
