import { EventEmitter } from 'node:events';
import { homedir, platform } from 'node:os';
import { join } from 'node:path';
import type { ApiHandlers, EventName, EventPayload } from '../../shared/api';
import type { Profile } from '../../shared/profiles';
import { connectorInfo, manifestFor, MANIFESTS } from './connectors/manifest';
import type { ConnectContext, Logger } from './connectors/types';
import { tableHandlers } from './api/table-handlers';
import { fsHandlers } from './api/fs-handlers';
import { jobHandlers } from './api/job-handlers';
import { planLoad } from './databases/load-dry-run';
import { FerryError } from './errors';
import { taskHandlers } from './api/task-handlers';
import { previewTable } from './table/preview';
import { PreviewCursors } from './table/preview-cursors';
import { SshTunnels } from './databases/ssh-tunnels';
import { EndpointPool } from './endpoint-pool';
import { ferryHome } from './home';
import { createLogger } from './log';
import { isSecretOption, optionApplies } from './profiles/options';
import { importSshConfigProfiles } from './profiles/ssh-config-import';
import { ProfileService } from './profiles/service';
import { SecretVault } from './secrets/vault';
import { openDatabase, type Db } from './store/db';
import { CORE_MIGRATIONS } from './store/core-migrations';
import { ProfilesRepo } from './store/profiles-repo';
import { TRANSFER_MIGRATIONS } from './transfer/schema';
import { TransferEngine } from './transfer/engine';
import { sleep } from './transfer/retry';
import { systemClock } from './scheduler/clock';
import { EngineRunner } from './scheduler/runner';
import { TASK_MIGRATIONS } from './scheduler/schema';
import { Scheduler, type SchedulerOptions } from './scheduler/scheduler';
import { TaskService } from './scheduler/service';
import { TaskStore } from './scheduler/store';
import { FileTrustStore } from './trust/file-trust-store';
import { FERRY_VERSION } from './version';

export { FERRY_VERSION };

/** The pause before a saved secret that read as none is read once more (see connectContext). */
const SECRET_REREAD_MS = 200;

export interface CoreOptions {
  home?: string;
  /** A fingerprint accepted up front for this process (CLI --trust-host-key). */
  acceptFingerprint?: string;
  /** Asked when a connector needs a secret that is neither in the keychain nor in memory (CLI prompt). */
  promptSecret?: (profileName: string, name: string, label: string) => Promise<string | undefined>;
  disableKeychain?: boolean;
  /** Start the transfer queue (resume interrupted jobs). The CLI's one-shot commands run jobs themselves. */
  startQueue?: boolean;
  /** Fire scheduled tasks while this process runs (the app, `ferry serve`, `ferry scheduler`). */
  runScheduler?: boolean;
  /** Scheduler settings (tests: a clock, shorter ticks; `ferry scheduler`: a logger that prints decisions). */
  scheduler?: Partial<Pick<SchedulerOptions, 'clock' | 'tickMs' | 'staleMs' | 'graceMs' | 'jumpMs' | 'retentionDays' | 'log'>>;
  log?: Logger;
  /**
   * The process exits right after close() (the CLI's one-shot commands). close() then leaves the store for
   * the exit to close: SQLite keeps its write-ahead log, and the next open reads it back, as after a crash.
   * Nothing is damaged by that; an OS crash before the kernel writes the log back (about 30 s) can lose the
   * command's last commits, as synchronous=NORMAL already allowed between checkpoints. Closing would
   * checkpoint it, whose fsync on ext4 waits until every dirty page of the whole file system is on disk:
   * 0.49 s after a 1 GiB upload to a local FTP server, paid before the command could exit. Long-running
   * faces (the app, `ferry serve`, `ferry scheduler`) close the store as before.
   */
  exitAfterClose?: boolean;
}

export interface CoreEvents {
  emit<E extends EventName>(event: E, payload: EventPayload<E>): void;
  on(listener: (event: EventName, payload: unknown) => void): () => void;
}

/** Ferry's core, composed once per process (desktop main, CLI, or `ferry serve`). */
export class FerryCore {
  readonly home: string;
  readonly db: Db;
  readonly vault: SecretVault;
  readonly trust: FileTrustStore;
  readonly pool: EndpointPool;
  readonly tunnels: SshTunnels;
  readonly profiles: ProfileService;
  readonly engine: TransferEngine;
  readonly scheduler: Scheduler;
  readonly tasks: TaskService;
  readonly handlers: ApiHandlers;
  readonly log: Logger;
  private readonly emitter = new EventEmitter();
  private readonly previewCursors = new PreviewCursors();

  constructor(private readonly opts: CoreOptions = {}) {
    this.home = opts.home ?? ferryHome();
    this.log = opts.log ?? createLogger();
    this.db = openDatabase(join(this.home, 'ferry.db'), [...CORE_MIGRATIONS, ...TRANSFER_MIGRATIONS, ...TASK_MIGRATIONS]);
    this.vault = new SecretVault({ disableKeychain: opts.disableKeychain ?? !!process.env.FERRY_NO_KEYCHAIN });
    this.trust = new FileTrustStore(this.home, process.env.FERRY_USER_KNOWN_HOSTS ?? join(homedir(), '.ssh', 'known_hosts'));
    const repo = new ProfilesRepo(this.db);
    this.tunnels = new SshTunnels((ref) => this.tunnelContext(ref));
    this.pool = new EndpointPool({
      manifest: manifestFor,
      profile: (id) => repo.get(id),
      context: (profile) => this.connectContext(profile),
      log: this.log,
    });
    this.profiles = new ProfileService(repo, this.vault, manifestFor, this.pool);
    this.engine = new TransferEngine({ db: this.db, endpoints: this.pool, log: this.log });
    this.engine.on('jobs.progress', (p) => this.emitter.emit('event', 'jobs.progress', p));
    this.engine.on('jobs.changed', (j) => this.emitter.emit('event', 'jobs.changed', j));
    if (opts.startQueue) this.engine.start();
    const taskStore = new TaskStore(this.db);
    const emitTask = (id: string) => {
      let task = null;
      try {
        task = this.tasks.get(id);
      } catch {
        // removed
      }
      this.emitter.emit('event', 'tasks.changed', { id, task });
    };
    this.scheduler = new Scheduler({
      store: taskStore,
      runner: new EngineRunner(this.engine),
      log: this.log,
      ...opts.scheduler,
      checkEndpoint: (ep, knownAs) => this.checkTaskEndpoint(ep, knownAs),
      onChange: emitTask,
      onRunEnded: (entry) => this.emitter.emit('event', 'tasks.runEnded', entry),
    });
    this.tasks = new TaskService({ store: taskStore, scheduler: this.scheduler, clock: opts.scheduler?.clock ?? systemClock, profileName: (ep) => repo.get(ep).name });
    if (opts.runScheduler) this.scheduler.start();
    this.handlers = this.buildHandlers();
  }

  onEvent(listener: (event: EventName, payload: unknown) => void): () => void {
    this.emitter.on('event', listener);
    return () => this.emitter.off('event', listener);
  }

  async close(): Promise<void> {
    this.scheduler.stop();
    this.previewCursors.closeAll();
    await this.engine.stop();
    await this.pool.closeAll();
    await this.tunnels.closeAll();
    await this.vault.settle();
    if (!this.opts.exitAfterClose) this.db.close();
  }

  /** A task's endpoint must still be a profile: a deleted one fails the run as fatal (the task is flagged). */
  private checkTaskEndpoint(endpoint: string, knownAs: string | undefined): void {
    if (endpoint === 'local') return;
    try {
      this.profiles.get(endpoint);
    } catch {
      const name = knownAs ? `"${knownAs}"` : endpoint;
      throw new FerryError('NOT_FOUND', `The profile ${name} this task uses was deleted: edit the task to use another profile`, { detail: { deletedProfile: knownAs ?? endpoint } });
    }
  }

  private connectContext(profile: Pick<Profile, 'id' | 'name' | 'type' | 'options'>): Omit<ConnectContext, 'profile'> {
    const early = this.readSecretsEarly(profile);
    return {
      trust: this.trust,
      acceptFingerprint: this.opts.acceptFingerprint,
      log: this.log,
      sshTunnel: (ref, signal) => this.tunnels.acquire(ref, signal),
      secret: async (name, o) => {
        // The early read once; a second ask (after a prompt) reads again.
        const pending = early.get(name);
        early.delete(name);
        let v = await (pending ?? this.vault.get(profile.id, name));
        if (v === undefined && this.savedSecret(profile.id, name)) {
          // No answer for a secret that was saved: a Secret Service daemon that restarts in the middle of a
          // read answers it with "none" (seen when gnome-keyring-daemon aborted, docs/testing.md). Connecting
          // without the password would fail as a wrong one; one more read, a moment later, finds it.
          await sleep(SECRET_REREAD_MS);
          v = await this.vault.get(profile.id, name);
        }
        if (v !== undefined || !this.opts.promptSecret || o?.prompt === false) return v;
        const p = this.profiles.get(profile.id);
        const spec = manifestFor(p.type).options.find((o) => o.name === name);
        const typed = await this.opts.promptSecret(p.name, name, spec?.label ?? name);
        if (typed !== undefined) this.vault.provide(profile.id, name, typed);
        return typed;
      },
    };
  }

  /** Whether the profile's record says this secret was saved in the keychain (a profile not in the store: no). */
  private savedSecret(profileId: string, name: string): boolean {
    try {
      return this.profiles.get(profileId).secretsSet.includes(name);
    } catch {
      return false;
    }
  }

  /**
   * Starts reading the secrets this profile's options use (their showIf), before the connector asks: the
   * keychain answers on its own threads (a Secret Service read is a D-Bus connection and a session, about
   * 30 ms each, one after the other) while the connector loads its SDK. No prompt here; a read that fails
   * is awaited, and its error thrown, only where the connector asks for that secret.
   */
  private readSecretsEarly(profile: Pick<Profile, 'id' | 'type' | 'options'>): Map<string, Promise<string | undefined>> {
    const out = new Map<string, Promise<string | undefined>>();
    const specs = manifestFor(profile.type).options;
    for (const o of specs) {
      if (!isSecretOption(o) || !optionApplies(o, profile.options, specs)) continue;
      const read = this.vault.get(profile.id, o.name);
      read.catch(() => undefined);
      out.set(o.name, read);
    }
    return out;
  }

  /** The connect context of the SFTP profile a database's `sshTunnel` option names. */
  private tunnelContext(ref: string): ConnectContext {
    const p = this.profiles.resolve(ref);
    if (p.type !== 'sftp') throw new FerryError('INVALID_INPUT', `The SSH tunnel profile "${p.name}" is a ${p.type} profile: name an SFTP profile`, { detail: { option: 'sshTunnel', profile: p.name } });
    return { ...this.connectContext(p), profile: p };
  }

  private buildHandlers(): ApiHandlers {
    const ok = { ok: true } as const;
    return {
      'app.info': async () => ({
        version: FERRY_VERSION,
        home: this.home,
        platform: platform(),
        localHome: process.env.FERRY_LOCAL_HOME ?? homedir(),
        keychain: await this.vault.status(),
      }),
      'connectors.list': async () => MANIFESTS.map(connectorInfo),
      'profiles.list': async () => this.profiles.list(),
      'profiles.get': async ({ id }) => this.profiles.get(id),
      'profiles.create': (input) => this.profiles.create(input),
      'profiles.update': ({ id, ...input }) => this.profiles.update(id, input),
      'profiles.duplicate': ({ id, name }) => this.profiles.duplicate(id, name),
      'profiles.remove': async ({ id }) => (await this.profiles.remove(id), ok),
      'profiles.test': ({ id, input }) => this.profiles.test(id, input),
      'profiles.importSshConfig': ({ path }) => importSshConfigProfiles(this.profiles, path),
      'secrets.provide': async ({ profileId, name, value }) => {
        this.profiles.get(profileId);
        this.vault.provide(profileId, name, value);
        return ok;
      },
      'trust.accept': async (detail) => (this.trust.pin(detail), ok),
      'trust.list': async () => this.trust.list(),
      'trust.remove': async ({ kind, host, port }) => (this.trust.remove(kind, host, port), ok),
      ...fsHandlers(this.pool),
      ...tableHandlers(this.pool),
      ...jobHandlers(this.engine),
      ...taskHandlers(this.tasks),
      'table.preview': (input) => previewTable(this.pool, input, this.previewCursors),
      'table.loadPlan': (input) => planLoad(this.pool, input),
    };
  }
}
