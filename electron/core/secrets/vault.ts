import { randomUUID } from 'node:crypto';
import { FerryError } from '../errors';

export interface KeychainStatus {
  available: boolean;
  backend: string;
  reason?: string;
}

const SERVICE = 'Ferry';
/** How long a secret read from the keychain answers the same process's next reads (SecretVault.shared). */
const SHARE_READ_MS = 5000;
const account = (profileId: string, name: string) => `${profileId}/${name}`;

/**
 * The keychain's native module is loaded on first use: a command that needs no secret (`ferry ls` of a local
 * folder, `ferry --help`) does not pay for it at start-up (about 35 ms of CPU, measured; docs/benchmarks.md).
 */
let keyring: Promise<typeof import('@napi-rs/keyring')> | undefined;
async function entry(name: string) {
  const { AsyncEntry } = await (keyring ??= import('@napi-rs/keyring'));
  return new AsyncEntry(SERVICE, name);
}

/**
 * Where secrets live: the OS keychain (macOS Keychain, Windows Credential Manager, Secret Service on Linux)
 * through @napi-rs/keyring, and nowhere on disk. With no keychain (a headless box without a Secret Service),
 * secrets given in this session are held in memory only; there is no plaintext fallback, ever.
 * Secrets handed over with `provide` (memory) take precedence for this session.
 */
export class SecretVault {
  private readonly memory = new Map<string, string>();
  /**
   * Keychain reads still going, and secrets found in the last SHARE_READ_MS, by account: a job opens its
   * connections to an endpoint together (4 to 16 of them), each reading the same secrets, and each read
   * held the main thread about 13 ms (making the Secret Service entry): 190 ms before the first file of a
   * 16-transfer S3 copy. An answer of "none" is not kept, so a read again (app.ts) asks the keychain.
   */
  private readonly shared = new Map<string, { value: Promise<string | undefined>; at: number }>();
  private statusCache: Promise<KeychainStatus> | null = null;
  /** Keychain calls not answered yet (see settle). */
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly opts: { disableKeychain?: boolean } = {}) {}

  /**
   * Waits for every keychain call still going, such as a secret read ahead of a connect that then failed.
   * The core's close() does, so that no process exits in the middle of a Secret Service exchange: a
   * gnome-keyring-daemon was seen to abort (a GLib assertion) during a test run, and a client leaving mid-call
   * is the one thing Ferry can keep from happening.
   */
  async settle(maxMs = 3000): Promise<void> {
    // Bounded: a call held by a keychain prompt nobody answers must not hold the exit forever.
    let timer: NodeJS.Timeout | undefined;
    const giveUp = new Promise<void>((resolve) => (timer = setTimeout(resolve, maxMs)));
    const all = (async () => {
      while (this.inFlight.size) await Promise.allSettled([...this.inFlight]);
    })();
    await Promise.race([all, giveUp]);
    clearTimeout(timer);
  }

  /** Counts a keychain call as going until it is answered. */
  private track<T>(call: Promise<T>): Promise<T> {
    this.inFlight.add(call);
    const done = () => this.inFlight.delete(call);
    call.then(done, done);
    return call;
  }

  status(): Promise<KeychainStatus> {
    this.statusCache ??= this.track(this.probe());
    return this.statusCache;
  }

  async get(profileId: string, name: string): Promise<string | undefined> {
    const mem = this.memory.get(account(profileId, name));
    if (mem !== undefined) return mem;
    if (this.opts.disableKeychain) return undefined;
    const key = account(profileId, name);
    const recent = this.shared.get(key);
    // at 0: still going.
    if (recent && (recent.at === 0 || Date.now() - recent.at < SHARE_READ_MS)) return recent.value;
    const value = this.readKeychain(key);
    const read = { value, at: 0 };
    this.shared.set(key, read);
    value.then(
      (v) => (v === undefined || this.shared.get(key) !== read ? this.forget(key, read) : (read.at = Date.now())),
      () => this.forget(key, read),
    );
    return value;
  }

  private forget(key: string, read: { value: Promise<string | undefined> }): void {
    if (this.shared.get(key) === read) this.shared.delete(key);
  }

  private async readKeychain(key: string): Promise<string | undefined> {
    // Read first, probe only if the read fails: an answer (a secret, or none) is the same whether or not a
    // keychain stands behind it, and the probe (a write and a delete) cost every command that connects
    // about 35 ms. A failed read is an error only where the probe finds a keychain, and then only if a
    // second read fails too (againOnce says why).
    const read = () => this.track(entry(key).then((e) => e.getPassword()));
    try {
      return (await read()) ?? undefined;
    } catch {
      if (!(await this.status()).available) return undefined;
      try {
        return (await read()) ?? undefined;
      } catch (e) {
        throw keychainError('read', e);
      }
    }
  }

  /** Stores in the keychain, or in memory for this session when there is none (says which). */
  async set(profileId: string, name: string, value: string): Promise<'keychain' | 'memory'> {
    this.shared.delete(account(profileId, name));
    if (!(await this.status()).available) {
      this.memory.set(account(profileId, name), value);
      return 'memory';
    }
    try {
      await this.track(againOnce(() => entry(account(profileId, name)).then((e) => e.setPassword(value))));
      this.memory.delete(account(profileId, name));
      return 'keychain';
    } catch (e) {
      throw keychainError('write', e);
    }
  }

  /** For this session only, never persisted (the "no keychain" prompt, or a CLI --*-stdin value). */
  provide(profileId: string, name: string, value: string): void {
    this.memory.set(account(profileId, name), value);
  }

  async delete(profileId: string, name: string): Promise<void> {
    this.memory.delete(account(profileId, name));
    this.shared.delete(account(profileId, name));
    if (!(await this.status()).available) return;
    try {
      await this.track(againOnce(() => entry(account(profileId, name)).then((e) => e.deletePassword())));
    } catch (e) {
      throw keychainError('delete', e);
    }
  }

  private async probe(): Promise<KeychainStatus> {
    const backend = process.platform === 'darwin' ? 'macOS Keychain' : process.platform === 'win32' ? 'Windows Credential Manager' : 'Secret Service';
    if (this.opts.disableKeychain) return { available: false, backend, reason: 'the keychain is turned off (FERRY_NO_KEYCHAIN); secrets are kept in memory for this session only' };
    try {
      // A write, not a read: without a Secret Service a read of a missing item can still answer null.
      // One item per process, so two Ferry processes probing at once cannot delete each other's.
      const probe = await entry(`__ferry_probe__/${process.pid}-${randomUUID()}`);
      await this.track(againOnce(() => probe.setPassword('probe')));
      await this.track(probe.deletePassword()).catch(() => {});
      return { available: true, backend };
    } catch (e) {
      const why = e instanceof Error ? e.message : String(e);
      return {
        available: false,
        backend,
        reason: `no ${backend} is reachable (${why.split('\n')[0]}); secrets are kept in memory for this session only`,
      };
    }
  }
}

/** How long a keychain call that failed waits before its one more try. */
const AGAIN_AFTER_MS = 100;

/**
 * A keychain call once more after a failure, unless the keychain said no on purpose (locked, a prompt
 * dismissed). A Secret Service that exits mid-call fails every call then in flight with "Couldn't access
 * platform storage" (measured: kill -9 of gnome-keyring-daemon during writes), and the session bus starts
 * it again on the next call; gnome-keyring aborts that way on a client race (upstream GNOME/gnome-keyring
 * #196), a likely cause of a `ferry profile add` that exited 1 in CI. One try more makes such a restart
 * invisible. Both calls are safe to repeat: a write replaces the item, a delete of a missing item succeeds.
 */
async function againOnce<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    if (/locked|dismissed|prompt/i.test(e instanceof Error ? e.message : String(e))) throw e;
    await new Promise((r) => setTimeout(r, AGAIN_AFTER_MS));
    return call();
  }
}

function keychainError(op: string, e: unknown): FerryError {
  const why = e instanceof Error ? e.message.split('\n')[0] : String(e);
  return new FerryError('KEYCHAIN_UNAVAILABLE', `Could not ${op} the keychain: ${why}`, { cause: e });
}
