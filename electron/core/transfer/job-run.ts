import type { Entry } from '../../../shared/connectors';
import { dirname } from '../../../shared/paths';
import type { ErrorData } from '../../../shared/errors';
import type { FileState, JobProgressEvent } from '../../../shared/transfers';
import type { Logger } from '../connectors/types';
import type { EndpointProvider } from '../endpoints';
import { FerryError } from '../errors';
import { runTask, type TaskResult } from './file-task';
import type { LeaseBroker } from './leases';
import type { SegmentSettings } from './segmented-read';
import { RateMeter, Throttle } from './meter';
import { tempPathFor, writerTag } from './names';
import { MOVING_ACTIONS } from './planner';
import { asFerryError, backoffMs, isJobFatal, isUnreachable, sleep, sourceChanged, triesFor, type RetryOptions } from './retry';
import type { FileRow, JobRow, TransferStore } from './store';

/** Why a whole run stops: the user paused or cancelled, the process shuts down, or an endpoint-level failure. */
export type StopReason = 'pause' | 'cancel' | 'shutdown' | 'fatal';
type FileStop = StopReason | 'pause-file' | 'cancel-file';

export interface RunDeps {
  store: TransferStore;
  endpoints: EndpointProvider;
  broker: LeaseBroker;
  log: Logger;
  retry: RetryOptions;
  segments: SegmentSettings;
  /** The job ran before this run (see TaskContext.ranBefore). */
  ranBefore: boolean;
  /** When a writer lease's holder counts as gone (owner.ts). */
  ownerStaleMs: number;
  /** The job's state changed (already persisted). */
  changed(job: JobRow): void;
}

interface Active {
  row: FileRow;
  ac: AbortController;
  stop: FileStop | null;
  bytesDone: number;
  sent: number;
  rate: RateMeter;
  startedAt: number;
  /** A load or export: rows so far and their total where known (reported by the task as it goes). */
  rows?: RowCount;
}

interface RowCount {
  done: number;
  total: number | null;
}

type FileProgress = JobProgressEvent['files'][number];

/** From this many files into one folder, a listing of it is cheaper than a stat per file. */
const LIST_FOLDER_AT = 16;
/** How often a file waiting for another job's writer lease looks again (ms). */
const LEASE_POLL_MS = 250;
/** Writer leases taken in one commit: the file starting and the next ones in the queue. */
const LEASES_AHEAD = 64;

/**
 * One running job: takes pending files in order, at most spec.transfers at once, each with its own abort
 * signal, retries with backoff, and persists every file's outcome before taking the next. Lives only while
 * the job is 'running'; every other state is in the store alone.
 */
export class JobRun {
  readonly finished: Promise<void>;
  private readonly queue: number[];
  private readonly active = new Map<number, Active>();
  /** Files whose state changed since the last progress event. */
  private readonly touched = new Map<number, FileProgress>();
  private readonly ensuredDirs = new Set<string>();
  private readonly listings = new Map<string, Promise<Map<string, Entry>>>();
  /** Destination folders with at least LIST_FOLDER_AT of this run's files: checked by one listing each. */
  private readonly listedFolders = new Set<string>();
  /** The queued files' rows as read at the start (one query, not one per file); dropped when re-queued. */
  private readonly queuedRows = new Map<number, FileRow>();
  /**
   * Writer leases this run holds: file → its destination's lease key. Taken ahead of the file (claimPath);
   * the file's next state (setState, which only ever follows its attempt) gives it back: a lease on a file
   * that is no longer pending is free to take (store.takeWriterLease), and the run deletes its rows at the end.
   */
  private readonly leases = new Map<number, string>();
  private readonly throttle: Throttle | null;
  private readonly rate = new RateMeter();
  private readonly runStart = Date.now();
  private finishedBytes: number;
  /** Rows of this run's finished loads and exports; null until a task reported rows. */
  private finishedRows: RowCount | null = null;
  private stopReason: StopReason | null = null;
  private fatal: FerryError | null = null;
  private ended = false;
  private settle!: () => void;

  constructor(
    readonly job: JobRow,
    private readonly deps: RunDeps,
  ) {
    deps.store.requeueRunning(job.id);
    const pending = deps.store.filesIn(job.id, ['pending']);
    this.queue = pending.map((f) => f.idx);
    for (const f of pending) this.queuedRows.set(f.idx, f);
    const perFolder = new Map<string, number>();
    for (const f of pending) {
      const dir = dirname(f.dstPath);
      const n = (perFolder.get(dir) ?? 0) + 1;
      perFolder.set(dir, n);
      if (n >= LIST_FOLDER_AT) this.listedFolders.add(dir);
    }
    const c = deps.store.counts(job.id);
    Object.assign(job, { doneFiles: c.doneFiles, failedFiles: c.failedFiles, skippedFiles: c.skippedFiles, doneBytes: c.doneBytes });
    this.finishedBytes = c.doneBytes;
    this.throttle = job.spec.bwlimit ? new Throttle(job.spec.bwlimit) : null;
    this.finished = new Promise((resolve) => (this.settle = resolve));
  }

  begin(): void {
    this.pump();
  }

  /** Stops every file in flight (the run ends once they have all settled). */
  stop(reason: StopReason): Promise<void> {
    this.stopReason ??= reason;
    for (const a of this.active.values()) {
      a.stop ??= reason;
      a.ac.abort();
    }
    this.pump();
    return this.finished;
  }

  /** Pauses or cancels one file: aborts it in flight, or takes it off the queue. True when it was here. */
  stopFile(idx: number, how: 'pause-file' | 'cancel-file'): boolean {
    const a = this.active.get(idx);
    if (a) {
      a.stop = how;
      a.ac.abort();
      return true;
    }
    const q = this.queue.indexOf(idx);
    if (q < 0) return false;
    this.queue.splice(q, 1);
    this.setState(idx, how === 'pause-file' ? 'paused' : 'cancelled', {});
    if (how === 'cancel-file') void this.discardPartial(this.deps.store.file(this.job.id, idx));
    this.pump();
    return true;
  }

  /** A file made pending again (retry, resume, conflict answered) while the job runs. */
  enqueue(idx: number): void {
    this.queuedRows.delete(idx);
    if (!this.queue.includes(idx) && !this.active.has(idx)) this.queue.push(idx);
    const c = this.deps.store.counts(this.job.id);
    Object.assign(this.job, { doneFiles: c.doneFiles, failedFiles: c.failedFiles, skippedFiles: c.skippedFiles });
    this.pump();
  }

  get running(): boolean {
    return !this.ended;
  }

  /** The job as it is right now (counters include files in flight). */
  live(): JobRow {
    let inFlight = 0;
    for (const a of this.active.values()) inFlight += a.bytesDone;
    const rate = this.rate.rate();
    const doneBytes = this.finishedBytes + inFlight;
    const left = Math.max(0, this.job.totalBytes - doneBytes);
    return {
      ...this.job,
      ...this.rows(),
      doneBytes,
      rate,
      etaSeconds: this.ended ? null : rate > 0 ? Math.ceil(left / rate) : null,
    };
  }

  /** The job's rows (finished files' and those in flight), when any of its tasks reported rows. */
  private rows(): Pick<JobRow, 'doneRows' | 'totalRows'> {
    let sum = this.finishedRows;
    for (const a of this.active.values()) if (a.rows) sum = addRows(sum, a.rows);
    return sum ? { doneRows: sum.done, totalRows: sum.total } : {};
  }

  /** Files in flight (with their live bytes and rows) merged over the stored rows. */
  overlay(files: FileRow[]): FileRow[] {
    return files.map((f) => {
      const a = this.active.get(f.idx);
      return a ? { ...f, state: 'running', bytesDone: a.bytesDone, rate: a.rate.rate(), ...liveRows(a) } : f;
    });
  }

  /** What changed since the last call: for the batched progress event. */
  drainProgress(): FileProgress[] {
    const out = new Map(this.touched);
    this.touched.clear();
    for (const [idx, a] of this.active) out.set(idx, { jobId: this.job.id, idx, state: 'running', bytesDone: a.bytesDone, rate: a.rate.rate(), ...liveRows(a) });
    return [...out.values()];
  }

  /** Writes live progress to the store (called about once a second, never per chunk). */
  flush(): void {
    const live = this.live();
    this.deps.store.updateProgress([...this.active.values()].map((a) => ({ jobId: this.job.id, idx: a.row.idx, bytesDone: a.bytesDone, rate: a.rate.rate() })));
    this.deps.store.updateJob(this.job.id, {
      doneFiles: live.doneFiles,
      doneBytes: live.doneBytes,
      failedFiles: live.failedFiles,
      skippedFiles: live.skippedFiles,
      totalBytes: live.totalBytes,
      rate: live.rate,
      movedBytes: live.movedBytes,
    });
  }

  private pump(): void {
    if (this.ended) return;
    if (this.stopReason) {
      if (this.active.size === 0) this.end();
      return;
    }
    while (this.active.size < this.job.spec.transfers && this.queue.length) this.launch(this.queue.shift() as number);
    if (this.active.size === 0 && this.queue.length === 0) this.end();
  }

  private launch(idx: number): void {
    const row = this.queuedRows.get(idx) ?? this.deps.store.file(this.job.id, idx);
    this.queuedRows.delete(idx);
    if (row.state !== 'pending') return;
    const a: Active = { row, ac: new AbortController(), stop: null, bytesDone: row.bytesDone, sent: 0, rate: new RateMeter(), startedAt: Date.now() };
    this.active.set(idx, a);
    // Not written to the store: a file in flight is 'pending' there, which is what a restart must see anyway
    // (one write per file saved on jobs of many small files).
    this.touched.set(idx, { jobId: this.job.id, idx, state: 'running', bytesDone: a.bytesDone, rate: 0 });
    void this.runFile(a)
      .catch((e) => this.deps.log.warn('file task crashed', { jobId: this.job.id, idx, error: String(e) }))
      .finally(() => {
        this.active.delete(idx);
        this.pump();
      });
  }

  private async runFile(a: Active): Promise<void> {
    const { store, retry, log } = this.deps;
    for (let failures = 0; ; ) {
      try {
        const result = await runTask(a.row, {
          spec: this.job.spec,
          endpoints: this.deps.endpoints,
          broker: this.deps.broker,
          throttle: this.throttle,
          signal: a.ac.signal,
          ensuredDirs: this.ensuredDirs,
          listings: this.listings,
          listsFolder: (dir) => this.listedFolders.has(dir),
          segments: this.deps.segments,
          ranBefore: this.deps.ranBefore,
          policy: a.row.policy ?? this.job.conflictOverride ?? this.job.spec.conflict,
          log,
          writerTag: writerTag(this.job.id),
          claimPath: (path, signal) => this.claimPath(a.row, path, signal),
          onBytes: (bytesDone, sent) => {
            a.bytesDone = bytesDone;
            if (!sent) return;
            a.sent += sent;
            a.rate.add(sent);
            this.rate.add(sent);
            this.job.movedBytes += sent;
          },
          onRows: (done, total) => {
            a.rows = { done, total };
          },
        });
        return this.complete(a, result);
      } catch (e) {
        const err = asFerryError(e);
        if (a.ac.signal.aborted) return await this.stopped(a);
        failures++;
        a.row.attempts++;
        a.row.bytesDone = a.bytesDone;
        store.updateFile(this.job.id, a.row.idx, { attempts: a.row.attempts, bytesDone: a.bytesDone });
        if (isJobFatal(err)) {
          if (err.code === 'QUOTA_EXCEEDED') {
            // A full disk: the partial file holds the space the user must get back; a later run starts anew.
            await this.discardPartial(a.row);
            a.bytesDone = 0;
          }
          this.failFile(a, err);
          return this.failJob(err);
        }
        if (sourceChanged(err) && err.detail.size !== null) {
          // The next try copies the source as it is now, and checks it against these facts.
          Object.assign(a.row, { size: err.detail.size, modified: err.detail.modified, srcHashes: null });
        }
        if (failures < triesFor(err, retry)) {
          const wait = backoffMs(failures, retry, err);
          log.info('retrying file', { jobId: this.job.id, path: a.row.relPath, code: err.code, attempt: failures + 1, waitMs: wait });
          try {
            await sleep(wait, a.ac.signal);
          } catch {
            return await this.stopped(a);
          }
          continue;
        }
        this.failFile(a, err);
        if (err.retryable && isUnreachable(err)) {
          // One file used up its retries on a connection failure: the endpoint is down for all of them.
          return this.failJob(new FerryError(err.code, `Stopped after ${failures} tries: ${err.message}`, { detail: err.detail, retryable: true }));
        }
        return;
      }
    }
  }

  /**
   * The writer lease on a destination path: while another live job (here or in another process) writes it,
   * this file waits, then takes its fresh look at the destination as that job left it.
   */
  private async claimPath(row: FileRow, path: string, signal: AbortSignal): Promise<void> {
    const { store, log, ownerStaleMs } = this.deps;
    const ep = this.job.spec.destination.endpoint;
    const key = this.leaseKey(path);
    // A retry keeps the lease its first attempt took; the file's next state gives it back.
    if (this.leases.get(row.idx) === key) return;
    // This file's lease and those of the next files in the queue, in one commit. Holding a lease a little
    // early only makes another job that writes the same path wait a little longer.
    const wants = [{ pathKey: key, idx: row.idx }];
    for (const idx of this.queue) {
      if (wants.length >= LEASES_AHEAD) break;
      const next = this.queuedRows.get(idx);
      if (next && claimsPath(next) && !this.leases.has(idx)) wants.push({ pathKey: this.leaseKey(next.dstPath), idx });
    }
    const busy = store.takeWriterLeases(ep, wants, this.job.id, ownerStaleMs);
    for (const w of wants) if (!busy.has(w.idx)) this.leases.set(w.idx, w.pathKey);
    for (let said = false; ; said = true) {
      if (this.leases.get(row.idx) === key) return;
      const holder = store.takeWriterLease(ep, key, this.job.id, row.idx, ownerStaleMs);
      if (!holder) {
        this.leases.set(row.idx, key);
        return;
      }
      if (!said) log.info('waiting for another job writing the same path', { jobId: this.job.id, path, writer: holder.jobId });
      await sleep(LEASE_POLL_MS, signal);
    }
  }

  private leaseKey(path: string): string {
    return this.deps.endpoints.capabilities(this.job.spec.destination.endpoint).caseInsensitive ? path.toLowerCase() : path;
  }

  private complete(a: Active, r: TaskResult): void {
    const idx = a.row.idx;
    if (r.state === 'done') {
      if (a.rows) this.finishedRows = addRows(this.finishedRows, { done: a.rows.done, total: a.rows.done });
      a.rows = undefined;
      const seconds = Math.max(0.001, (Date.now() - a.startedAt) / 1000);
      this.finishedBytes += r.size;
      this.job.doneFiles++;
      if (MOVING_ACTIONS.has(a.row.action)) this.job.totalBytes += r.size - a.row.size;
      a.bytesDone = 0;
      this.setState(idx, 'done', {
        action: r.action,
        dstPath: r.dstPath,
        size: r.size,
        bytesDone: r.size,
        rate: Math.round(a.sent / seconds),
        verified: r.verified,
        resumedFrom: r.resumedFrom,
        error: null,
        ...(r.note ? { reason: r.note } : {}),
        ...(r.rows ? { rows: r.rows } : {}),
      }, r.size);
    } else if (r.state === 'skipped') {
      this.job.skippedFiles++;
      if (MOVING_ACTIONS.has(a.row.action)) this.job.totalBytes -= a.row.size;
      a.bytesDone = 0;
      this.setState(idx, 'skipped', { action: r.action, dstPath: r.dstPath, reason: r.reason, bytesDone: 0, error: null });
    } else {
      a.bytesDone = 0;
      this.setState(idx, 'conflict', { action: 'conflict', reason: r.reason });
    }
  }

  /**
   * A file stopped by the user or the job: paused and shutdown keep the partial file; cancel removes it, and
   * so does a job stopped by a full disk (the space is what the user needs back).
   */
  private async stopped(a: Active): Promise<void> {
    const how = a.stop ?? 'shutdown';
    const state: FileState = how === 'pause-file' ? 'paused' : how === 'cancel-file' || how === 'cancel' ? 'cancelled' : 'pending';
    const discard = state === 'cancelled' || (how === 'fatal' && this.fatal?.code === 'QUOTA_EXCEEDED');
    if (discard) await this.discardPartial(a.row);
    this.setState(a.row.idx, state, { bytesDone: discard ? 0 : a.bytesDone });
    a.bytesDone = 0;
  }

  private failFile(a: Active, err: FerryError): void {
    this.job.failedFiles++;
    this.deps.log.warn('file failed', { jobId: this.job.id, path: a.row.relPath, code: err.code, message: err.message });
    this.setState(a.row.idx, 'failed', { bytesDone: a.bytesDone, error: err.toData() });
    a.bytesDone = 0;
  }

  private failJob(err: FerryError): void {
    if (this.stopReason) return;
    this.fatal = err;
    void this.stop('fatal');
  }

  private setState(idx: number, state: FileState, patch: Partial<FileRow>, bytesDone = patch.bytesDone): void {
    if (state === 'done') this.deps.store.finishFile(this.job.id, idx, { ...patch, state });
    else this.deps.store.updateFile(this.job.id, idx, { ...patch, state });
    // The file is no longer pending: its lease row is free to take, and a retry must take it again.
    this.leases.delete(idx);
    const a = this.active.get(idx);
    this.touched.set(idx, { jobId: this.job.id, idx, state, bytesDone: bytesDone ?? a?.bytesDone ?? 0, rate: 0 });
  }

  /** Removes a file's partial temp file (best effort: a leftover is hidden and replaced next time). */
  private async discardPartial(row: FileRow): Promise<void> {
    const dstEp = this.job.spec.destination.endpoint;
    if (this.deps.endpoints.capabilities(dstEp).atomicWrite || !row.srcPath) return;
    await this.deps.broker
      .one(dstEp)
      .then(async (lease) => {
        try {
          await lease.connector.remove(tempPathFor(row.dstPath, writerTag(this.job.id)));
        } finally {
          lease.release(false);
        }
      })
      .catch(() => {});
  }

  private end(): void {
    if (this.ended) return;
    this.ended = true;
    const { store } = this.deps;
    const id = this.job.id;
    if (this.stopReason === 'cancel') store.moveFiles(id, ['pending', 'paused', 'conflict', 'running'], 'cancelled');
    // The run's lease rows: its finished files' (free already, see setState) and those it took ahead.
    store.releaseJobLeases(id);
    this.leases.clear();
    const c = store.counts(id);
    const now = new Date().toISOString();
    const activeMs = this.job.activeMs + (Date.now() - this.runStart);
    const job: JobRow = {
      ...this.job,
      doneFiles: c.doneFiles,
      failedFiles: c.failedFiles,
      skippedFiles: c.skippedFiles,
      doneBytes: c.doneBytes,
      activeMs,
      rate: activeMs > 0 ? Math.round((this.job.movedBytes * 1000) / activeMs) : 0,
      etaSeconds: null,
    };
    switch (this.stopReason) {
      case 'shutdown':
        break;
      case 'pause':
        job.state = 'paused';
        break;
      case 'cancel':
        Object.assign(job, { state: 'cancelled', finishedAt: now });
        break;
      case 'fatal':
        Object.assign(job, { state: 'failed', finishedAt: now, error: (this.fatal as FerryError).toData() });
        break;
      default:
        if (c.conflicts > 0) job.state = 'waiting';
        else if (c.paused > 0) job.state = 'paused';
        else Object.assign(job, { state: c.failedFiles > 0 ? 'failed' : 'done', finishedAt: now, error: summaryError(store, id, c.failedFiles, job.totalFiles) });
    }
    Object.assign(this.job, job);
    store.updateJob(id, job);
    // The rows are not stored: the last event of the run carries them, so the queue row keeps its count.
    this.deps.changed({ ...this.job, ...this.rows() });
    this.settle();
  }
}

/** "2 of 10 files failed", carrying the first failure's code so the UI and CLI can say what went wrong. */
function summaryError(store: TransferStore, jobId: string, failed: number, total: number): ErrorData | null {
  if (!failed) return null;
  const first = store.firstError(jobId);
  const code = first?.error.code ?? 'INTERNAL';
  const message = `${failed} of ${total} files failed${first ? `; first: ${first.relPath}: ${first.error.message}` : ''}`;
  return { code, message, retryable: false, detail: { failedFiles: failed } };
}

const liveRows = (a: Active): Pick<FileProgress, 'rowsDone' | 'rowsTotal'> => (a.rows ? { rowsDone: a.rows.done, rowsTotal: a.rows.total } : {});

/** Adds one task's rows to a sum; the total stays known only while every part's is. */
function addRows(sum: RowCount | null, part: RowCount): RowCount {
  return { done: (sum?.done ?? 0) + part.done, total: sum?.total === null || part.total === null ? null : (sum?.total ?? 0) + part.total };
}

/** Whether a file's task writes its destination path (and so takes a writer lease): not a folder or a delete. */
function claimsPath(row: FileRow): boolean {
  return row.action !== 'mkdir' && row.action !== 'delete';
}
