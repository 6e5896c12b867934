import type Database from 'better-sqlite3';
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { LOCAL_ENDPOINT } from '../../../shared/endpoints';
import { basename, joinPath } from '../../../shared/paths';
import type {
  ConflictPolicy,
  Job,
  JobFile,
  JobProgressEvent,
  JobSpec,
  JobSpecInput,
  JobState,
  Plan,
} from '../../../shared/transfers';
import type { Logger } from '../connectors/types';
import type { EndpointProvider } from '../endpoints';
import { FerryError } from '../errors';
import { JobRun, type StopReason } from './job-run';
import { LeaseBroker } from './leases';
import { tempPathFor, writerTag } from './names';
import { describeOwner, ownerGone, THIS_OWNER } from './owner';
import { buildPlan, planTotals, type PlannedItem } from './planner';
import { DEFAULT_RETRY, type RetryOptions } from './retry';
import { DEFAULT_SEGMENTS, type SegmentSettings } from './segmented-read';
import { publicFile, publicJob, TransferStore, type FileRow, type JobRow } from './store';

export interface TransferEngineOptions {
  db: Database.Database;
  endpoints: EndpointProvider;
  log: Logger;
  /** Jobs running at once; more wait as 'queued'. */
  maxJobs?: number;
  retry?: Partial<RetryOptions>;
  /** When large files are read in parallel segments (tests lower the sizes). */
  segments?: Partial<SegmentSettings>;
  /** How often a progress event may go out (ms): about 4 a second by default. */
  progressIntervalMs?: number;
  /** How often live progress is written to the store (ms). */
  flushIntervalMs?: number;
  /** Whose file-name rules a local destination follows (tests pass 'win32'). */
  platform?: NodeJS.Platform;
  /** How often this process tells the store it still runs its jobs (ms). */
  heartbeatMs?: number;
  /** A job whose owner sent no heartbeat for this long (ms) is interrupted, even if its pid still exists. */
  ownerStaleMs?: number;
}

export interface TransferEvents {
  'jobs.progress': JobProgressEvent;
  'jobs.changed': Job;
}

const PLAN_TTL_MS = 24 * 3600_000;
const AT_REST: ReadonlySet<JobState> = new Set(['paused', 'waiting', 'done', 'failed', 'cancelled', 'interrupted']);
const DEFAULT_HEARTBEAT_MS = 5_000;
const DEFAULT_OWNER_STALE_MS = 30_000;

/**
 * The transfer queue of the core: plans, runs and persists jobs between any two endpoints. The API's jobs.*
 * methods map one to one onto its methods; its events are the API's jobs.progress and jobs.changed.
 * Jobs survive the process: start() resumes those that were running when it stopped or died.
 */
export class TransferEngine {
  private readonly store: TransferStore;
  private readonly broker: LeaseBroker;
  private readonly emitter = new EventEmitter();
  private readonly runs = new Map<string, JobRun>();
  /** Jobs this process runs: created here, resumed by start(), or touched by the user here. */
  private readonly admitted = new Set<string>();
  private readonly retryOpts: RetryOptions;
  private timer: NodeJS.Timeout | null = null;
  private readonly heartbeatTimer: NodeJS.Timeout;
  private readonly staleMs: number;
  private lastFlush = 0;
  private started = false;
  private closed = false;

  constructor(private readonly opts: TransferEngineOptions) {
    this.store = new TransferStore(opts.db);
    this.broker = new LeaseBroker(opts.endpoints);
    this.retryOpts = { ...DEFAULT_RETRY, ...opts.retry };
    this.emitter.setMaxListeners(100);
    this.staleMs = opts.ownerStaleMs ?? DEFAULT_OWNER_STALE_MS;
    this.heartbeatTimer = setInterval(() => this.heartbeat(), opts.heartbeatMs ?? DEFAULT_HEARTBEAT_MS);
    this.heartbeatTimer.unref();
  }

  on<E extends keyof TransferEvents>(event: E, listener: (payload: TransferEvents[E]) => void): () => void {
    this.emitter.on(event, listener);
    return () => this.emitter.off(event, listener);
  }

  /** Lists both sides and decides every file; stored so create({planId}) runs exactly this plan. */
  async plan(input: JobSpecInput, signal?: AbortSignal): Promise<Plan> {
    // A process's first job loads the schemas (zod: about 60 ms of compiling) while its endpoints connect
    // (the keychain, a login: mostly waiting on the network), and a local side is listed meanwhile too: the
    // plan waits for the connects only where it calls those endpoints. A failed connect is thrown there,
    // once the spec is known to be valid: the error the listing would meet, without a second attempt.
    const connected = this.connectEarly(input, signal);
    connected.catch(() => undefined);
    const { parseSpec } = await import('./job-spec');
    const spec = parseSpec(input);
    const items = await buildPlan(spec, { endpoints: this.opts.endpoints, platform: this.opts.platform, signal, connected });
    const id = randomUUID();
    const totals = planTotals(items);
    const createdAt = new Date().toISOString();
    this.store.prunePlans(new Date(Date.now() - PLAN_TTL_MS).toISOString());
    this.store.insertPlan(id, spec, items, totals, createdAt);
    return { id, spec, items: items.map(publicItem), totals, createdAt };
  }

  /** Connects the spec's endpoints and leaves the connectors idle in their pools, for the plan to use. */
  private async connectEarly(input: JobSpecInput, signal?: AbortSignal): Promise<void> {
    const named = [input.source?.endpoint, input.destination?.endpoint].filter((e): e is string => typeof e === 'string' && e !== LOCAL_ENDPOINT);
    await Promise.all([...new Set(named)].map(async (e) => (await this.opts.endpoints.acquire(e, signal)).release()));
  }

  /** A job from a stored plan (exactly what the user saw), or from a spec (planned now). Starts when a slot is free. */
  async create(input: { spec?: JobSpecInput; planId?: string }): Promise<Job> {
    let planId = input.planId;
    if (!planId) {
      if (!input.spec) throw new FerryError('INVALID_INPUT', 'A job needs a spec or the id of a plan');
      planId = (await this.plan(input.spec)).id;
    }
    const plan = this.store.planHead(planId);
    const now = new Date().toISOString();
    const job: JobRow = {
      id: randomUUID(),
      planId,
      kind: plan.spec.kind,
      spec: plan.spec,
      state: 'queued',
      title: this.title(plan.spec),
      totalFiles: plan.totals.files,
      totalBytes: plan.totals.bytes,
      doneFiles: 0,
      doneBytes: 0,
      failedFiles: plan.failed,
      skippedFiles: plan.skipped,
      rate: 0,
      etaSeconds: null,
      createdAt: now,
      startedAt: null,
      finishedAt: null,
      error: null,
      movedBytes: 0,
      activeMs: 0,
      conflictOverride: null,
      // The creating process owns the job from the start: no other process adopts it while it waits for a slot.
      owner: THIS_OWNER,
      heartbeatAt: Date.now(),
    };
    this.store.insertJob(job, planId, this.searchText(plan.spec, job.title));
    this.admitted.add(job.id);
    this.changed(job);
    this.schedule();
    return publicJob(this.current(job.id));
  }

  list(q: { states?: JobState[]; query?: string; limit?: number } = {}): Job[] {
    // 'interrupted' is not stored: it is a running or queued job whose owner is gone.
    const states = q.states?.includes('interrupted') ? [...new Set<JobState>([...q.states, 'running', 'queued'])] : q.states;
    const jobs = this.store.jobs({ ...q, states }).map((row) => publicJob(this.view(row.id, row)));
    return q.states ? jobs.filter((j) => q.states!.includes(j.state)) : jobs;
  }

  get(id: string): { job: Job; files: JobFile[] } {
    const d = this.details(id);
    return { job: publicJob(d.job), files: d.files.map(publicFile) };
  }

  /** get() with what the engine keeps beside the API's shapes: per-file reason, verification, resume offset. */
  details(id: string): { job: JobRow; files: FileRow[] } {
    const run = this.runs.get(id);
    const job = this.current(id);
    const files = this.store.files(id);
    return { job, files: run ? run.overlay(files) : files };
  }

  /** Resolves when the job is at rest: done, failed, cancelled, paused or waiting for an answer. */
  wait(id: string): Promise<Job> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        try {
          const job = this.current(id);
          if (!AT_REST.has(job.state) || this.liveRun(id)) return false;
          resolve(publicJob(job));
        } catch (e) {
          reject(e);
        }
        return true;
      };
      if (check()) return;
      const off = this.on('jobs.changed', (j) => j.id === id && check() && off());
    });
  }

  async pause(id: string, fileIdx?: number): Promise<void> {
    const job = this.notElsewhere(id);
    const run = this.liveRun(id);
    if (fileIdx === undefined) {
      if (run) return run.stop('pause');
      if (job.state === 'queued' || job.state === 'running') this.setJobState(id, 'paused');
      return;
    }
    const file = this.store.file(id, fileIdx);
    if (run?.stopFile(fileIdx, 'pause-file')) return;
    if (file.state === 'pending') this.store.updateFile(id, fileIdx, { state: 'paused' });
  }

  async resume(id: string, fileIdx?: number): Promise<void> {
    const job = this.notElsewhere(id);
    if (fileIdx === undefined) {
      const moved = this.store.moveFiles(id, ['paused'], 'pending');
      const interrupted = job.state === 'paused' || job.state === 'queued' || (job.state === 'running' && !this.liveRun(id));
      if (moved > 0 || interrupted) this.requeue(id, this.store.fileIdxIn(id, ['pending']));
      return;
    }
    if (this.store.file(id, fileIdx).state !== 'paused') return;
    this.store.updateFile(id, fileIdx, { state: 'pending' });
    this.requeue(id, [fileIdx]);
  }

  async cancel(id: string, fileIdx?: number): Promise<void> {
    const job = this.notElsewhere(id);
    const run = this.liveRun(id);
    if (fileIdx === undefined) {
      if (run) return run.stop('cancel');
      if (job.state === 'done' || job.state === 'failed' || job.state === 'cancelled') return;
      this.discardPartials(id, this.store.files(id).filter((f) => isOpen(f.state)));
      this.store.moveFiles(id, ['pending', 'paused', 'conflict', 'running'], 'cancelled');
      this.setJobState(id, 'cancelled', { finishedAt: new Date().toISOString(), etaSeconds: null });
      return;
    }
    if (run?.stopFile(fileIdx, 'cancel-file')) return;
    const file = this.store.file(id, fileIdx);
    if (!isOpen(file.state)) return;
    this.discardPartials(id, [file]);
    this.store.updateFile(id, fileIdx, { state: 'cancelled', bytesDone: 0 });
    if (!run) this.settleIdle(id);
  }

  /** Failed files (one, or all of the job) run again; partial files resume where they stopped. */
  async retry(id: string, fileIdx?: number): Promise<void> {
    this.notElsewhere(id);
    const files =
      fileIdx === undefined
        ? this.store.files(id).filter((f) => f.state === 'failed' && retriable(f))
        : [this.store.file(id, fileIdx)].filter((f) => (f.state === 'failed' || f.state === 'cancelled') && retriable(f));
    if (!files.length) return;
    for (const f of files) this.store.updateFile(id, f.idx, { state: 'pending', error: null });
    this.requeue(id, files.map((f) => f.idx));
  }

  /** The user's answer to a conflict: for this file, or (applyToAll) for every conflict of the job, now and later. */
  async resolveConflict(id: string, fileIdx: number, policy: Exclude<ConflictPolicy, 'ask'>, applyToAll = false): Promise<void> {
    this.notElsewhere(id);
    const file = this.store.file(id, fileIdx);
    if (file.state !== 'conflict') {
      throw new FerryError('INVALID_INPUT', `${file.relPath} is not waiting for an answer (it is ${file.state})`, { detail: { jobId: id, fileIdx } });
    }
    const idxs = applyToAll ? this.store.fileIdxIn(id, ['conflict']) : [fileIdx];
    if (applyToAll) {
      this.store.updateJob(id, { conflictOverride: policy });
      const run = this.liveRun(id);
      if (run) run.job.conflictOverride = policy;
    }
    for (const idx of idxs) this.store.updateFile(id, idx, { state: 'pending', policy });
    this.requeue(id, idxs);
  }

  /** Deletes a job from the history (cancelling it first if it runs, and removing its partial files). */
  async remove(id: string): Promise<void> {
    this.notElsewhere(id);
    const run = this.liveRun(id);
    if (run) await run.stop('cancel');
    this.discardPartials(id, this.store.files(id).filter((f) => f.state !== 'done' && f.state !== 'skipped'));
    this.store.deleteJob(id);
    this.admitted.delete(id);
  }

  /**
   * Takes up the jobs that were queued or running when their process stopped or was killed: only those
   * whose owner is gone (owner.ts). A job another live process runs (a CLI copy, the app) is left to it.
   */
  start(): void {
    if (this.started || this.closed) return;
    this.started = true;
    for (const id of this.store.jobIdsIn(['running', 'queued'])) {
      if (this.runs.has(id) || this.store.claimJob(id, this.staleMs)) continue;
      this.store.updateJob(id, { state: 'queued' });
      this.admitted.add(id);
    }
    this.schedule();
  }

  /** Stops every running file, keeping partial files, so that the next start() (here or elsewhere) resumes them. */
  async stop(): Promise<void> {
    this.closed = true;
    await Promise.all([...this.runs.values()].map((r) => r.stop('shutdown')));
    for (const id of this.admitted) this.store.releaseJob(id);
    this.store.commitFinished();
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    clearInterval(this.heartbeatTimer);
  }

  // ——— internals ———

  /** The job's run while it is taking files (a run that just ended is not). */
  private liveRun(id: string): JobRun | undefined {
    const run = this.runs.get(id);
    return run?.running ? run : undefined;
  }

  private current(id: string): JobRow {
    return this.view(id, this.store.job(id));
  }

  /** The job as users see it: live counters while it runs here; 'interrupted' when its owner process is gone. */
  private view(id: string, stored: JobRow): JobRow {
    const run = this.runs.get(id);
    if (run) return run.live();
    if ((stored.state === 'running' || stored.state === 'queued') && ownerGone(stored.owner, stored.heartbeatAt, this.staleMs)) {
      return { ...stored, state: 'interrupted', etaSeconds: null };
    }
    return stored;
  }

  /** Makes this process the job's owner, or refuses: another live process runs it (it must not run twice). */
  private claim(id: string): void {
    if (this.runs.has(id)) return;
    const other = this.store.claimJob(id, this.staleMs);
    if (other) throw runningElsewhere(id, other.owner);
  }

  /** The job, unless another live process runs it: then only that process may pause, cancel or change it. */
  private notElsewhere(id: string): JobRow {
    const job = this.store.job(id);
    if (!this.runs.has(id) && (job.state === 'running' || job.state === 'queued') && job.owner !== THIS_OWNER && !ownerGone(job.owner, job.heartbeatAt, this.staleMs)) {
      throw runningElsewhere(id, job.owner);
    }
    return job;
  }

  private heartbeat(): void {
    if (this.closed || (this.runs.size === 0 && !this.store.jobIdsIn(['queued']).some((id) => this.admitted.has(id)))) return;
    this.store.heartbeat();
  }

  private changed(job: JobRow): void {
    this.emitter.emit('jobs.changed', publicJob(job));
  }

  private setJobState(id: string, state: JobState, patch: Partial<JobRow> = {}): void {
    const c = this.store.counts(id);
    const counters = { doneFiles: c.doneFiles, failedFiles: c.failedFiles, skippedFiles: c.skippedFiles, doneBytes: c.doneBytes };
    this.store.updateJob(id, { ...patch, ...counters, state });
    if (state !== 'queued' && state !== 'running') this.store.releaseJob(id);
    this.changed(this.store.job(id));
  }

  /** Files made pending: into the running job, or the job goes back to the queue. */
  private requeue(id: string, idxs: number[]): void {
    this.claim(id);
    this.admitted.add(id);
    const run = this.liveRun(id);
    if (run) {
      for (const idx of idxs) run.enqueue(idx);
      return;
    }
    this.setJobState(id, 'queued', { finishedAt: null, error: null });
    this.schedule();
  }

  /** A job at rest whose open files changed outside a run (a conflict cancelled): done, or still waiting. */
  private settleIdle(id: string): void {
    const job = this.store.job(id);
    if (job.state !== 'waiting') return;
    const c = this.store.counts(id);
    if (c.conflicts > 0) return;
    if (c.open > 0) return this.requeue(id, []);
    this.setJobState(id, c.failedFiles > 0 ? 'failed' : 'done', { finishedAt: new Date().toISOString() });
  }

  private schedule(): void {
    if (this.closed) return;
    const max = this.opts.maxJobs ?? 3;
    for (const id of this.store.jobIdsIn(['queued'])) {
      if (this.runs.size >= max) break;
      if (this.admitted.has(id) && !this.runs.has(id)) this.startRun(id);
    }
  }

  private startRun(id: string): void {
    if (this.store.claimJob(id, this.staleMs)) {
      // Another live process took the job over (it was interrupted here): it is theirs now.
      this.admitted.delete(id);
      return;
    }
    const job = this.store.job(id);
    const ranBefore = job.startedAt !== null;
    Object.assign(job, { state: 'running', startedAt: job.startedAt ?? new Date().toISOString(), finishedAt: null, error: null });
    this.store.updateJob(id, job);
    const run: JobRun = new JobRun(job, {
      store: this.store,
      endpoints: this.opts.endpoints,
      broker: this.broker,
      log: this.opts.log,
      retry: this.retryOpts,
      segments: { ...DEFAULT_SEGMENTS, ...this.opts.segments },
      ownerStaleMs: this.staleMs,
      ranBefore,
      changed: (j) => {
        // The run's last progress (its final file states) goes out before the job says it is over.
        if (!run.running) this.emitProgress([run]);
        this.changed(j);
      },
    });
    this.runs.set(id, run);
    this.changed(run.live());
    this.ensureTimer();
    void run.finished.then(() => {
      this.runs.delete(id);
      if (this.store.job(id).state !== 'queued') this.store.releaseJob(id);
      this.schedule();
    });
    run.begin();
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(), this.opts.progressIntervalMs ?? 250);
    this.timer.unref();
  }

  private tick(): void {
    const runs = [...this.runs.values()];
    if (!runs.length) {
      if (this.timer) clearInterval(this.timer);
      this.timer = null;
      return;
    }
    this.emitProgress(runs);
    if (Date.now() - this.lastFlush >= (this.opts.flushIntervalMs ?? 1000)) {
      this.lastFlush = Date.now();
      for (const r of runs) if (r.running) r.flush();
    }
  }

  /** One batched event for all running jobs: their counters and the files that moved or changed state. */
  private emitProgress(runs: JobRun[]): void {
    const event: JobProgressEvent = { jobs: [], files: [] };
    for (const r of runs) {
      const j = r.live();
      const rows = j.doneRows === undefined ? {} : { doneRows: j.doneRows, totalRows: j.totalRows };
      event.jobs.push({ id: j.id, state: j.state, doneFiles: j.doneFiles, doneBytes: j.doneBytes, failedFiles: j.failedFiles, rate: j.rate, etaSeconds: j.etaSeconds, ...rows });
      event.files.push(...r.drainProgress());
    }
    if (event.jobs.length) this.emitter.emit('jobs.progress', event);
  }

  /** Removes partial temp files of files that will not be resumed (best effort; they are hidden anyway). */
  private discardPartials(id: string, files: FileRow[]): void {
    const spec = this.store.job(id).spec;
    const dstEp = spec.destination.endpoint;
    if (this.opts.endpoints.capabilities(dstEp).atomicWrite) return;
    const partial = files.filter((f) => f.srcPath && (f.bytesDone > 0 || f.attempts > 0 || f.action === 'resume'));
    if (!partial.length) return;
    void this.broker
      .one(dstEp)
      .then(async (lease) => {
        try {
          for (const f of partial) await lease.connector.remove(tempPathFor(f.dstPath, writerTag(id))).catch(() => {});
        } finally {
          lease.release(false);
        }
      })
      .catch(() => {});
  }

  private title(spec: JobSpec): string {
    const verb =
      spec.kind === 'copy' ? 'Copy' : spec.kind === 'move' ? 'Move' : spec.convert?.load ? 'Load' : spec.convert?.query ? 'Export' : spec.kind === 'convert' ? 'Convert' : spec.mirror ? 'Mirror' : 'Sync';
    const first = spec.convert?.query ? 'a query' : basename(spec.source.paths[0]) || spec.source.paths[0];
    const what = spec.source.paths.length > 1 ? `${first} and ${spec.source.paths.length - 1} more` : first;
    const ep = this.opts.endpoints;
    const to = spec.convert ? joinPath(spec.destination.path, spec.convert.name) : spec.destination.path;
    return `${verb} ${what} from ${ep.label(spec.source.endpoint)} to ${ep.label(spec.destination.endpoint)}:${to}`;
  }

  private searchText(spec: JobSpec, title: string): string {
    return [title, ...spec.source.paths, spec.destination.path].join('\n').toLowerCase();
  }
}


function runningElsewhere(id: string, owner: string | null): FerryError {
  return new FerryError('CONFLICT', `Job ${id} is running in another Ferry process (${describeOwner(owner)}); it can be taken over only once that process has stopped`, {
    detail: { jobId: id },
  });
}

function publicItem(i: PlannedItem) {
  const { srcHashes: _h, error: _e, dstSize: _s, dstModified: _m, ...item } = i;
  return item;
}

const isOpen = (s: JobFile['state']) => s === 'pending' || s === 'paused' || s === 'conflict' || s === 'running';

/** A file refused while planning (its name) would be refused again: retry leaves it failed. */
const retriable = (f: FileRow) => f.action !== 'skip';

export type { StopReason };
