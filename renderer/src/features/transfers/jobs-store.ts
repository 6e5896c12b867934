import type { EventPayload } from '../../../../shared/api';
import type { Job, JobState } from '../../../../shared/transfers';
import { api } from '../../api/client';
import { FerryClientError } from '../../api/errors';
import { INTERCEPTED_CODES, intercept } from '../../api/interceptor';
import { refreshEndpoint } from '../../api/listings';
import { invalidate } from '../../api/query-cache';

export const ACTIVE_STATES: JobState[] = ['queued', 'running', 'paused', 'waiting', 'interrupted'];
export const FINISHED_STATES: JobState[] = ['done', 'failed', 'cancelled'];
export const isFinished = (s: JobState) => FINISHED_STATES.includes(s);

type FileProgress = EventPayload<'jobs.progress'>['files'];

/**
 * The jobs shown in the queue panel, kept current by `jobs.changed` (whole jobs) and `jobs.progress`
 * (batched counters). Started once; components read it through useSyncExternalStore.
 */
class JobsStore {
  private jobs = new Map<string, Job>();
  private dismissed = new Set<string>();
  private snapshot: Job[] = [];
  private listeners = new Set<() => void>();
  private fileListeners = new Map<string, Set<(files: FileProgress) => void>>();
  private prompted = new Set<string>();
  /** Jobs whose end was already acted on (listings refreshed), whichever event told us first. */
  private settled = new Set<string>();
  private started = false;

  subscribe = (l: () => void): (() => void) => {
    this.start();
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getSnapshot = (): Job[] => this.snapshot;

  /** Per-file progress of one job, for its expanded file list. */
  onFiles(jobId: string, l: (files: FileProgress) => void): () => void {
    let set = this.fileListeners.get(jobId);
    if (!set) this.fileListeners.set(jobId, (set = new Set()));
    set.add(l);
    return () => set.delete(l);
  }

  /** Hides finished jobs from the queue (they stay in History). */
  clearFinished(): void {
    for (const j of this.jobs.values()) if (isFinished(j.state)) this.dismissed.add(j.id);
    this.emit();
  }

  dismiss(id: string): void {
    this.dismissed.add(id);
    this.emit();
  }

  /**
   * A job created from this window: show it at once. Its events may have arrived before the jobs.create
   * answer (a small job can finish first), and those are newer: then keep them.
   */
  upsert(job: Job): void {
    this.dismissed.delete(job.id);
    if (this.jobs.has(job.id)) return this.emit();
    this.changed(job);
  }

  reload(): void {
    api.call('jobs.list', { states: ACTIVE_STATES, limit: 1000 }, { intercept: false }).then(
      (list) => {
        for (const j of list) this.jobs.set(j.id, j);
        this.emit();
      },
      () => {}, // the connection screen reports a dead link; nothing to add here
    );
  }

  private start(): void {
    if (this.started) return;
    this.started = true;
    api.on('jobs.changed', (job) => this.changed(job));
    api.on('jobs.progress', (p) => this.progress(p));
    this.reload();
  }

  private changed(job: Job): void {
    this.jobs.set(job.id, job);
    if (!isFinished(job.state)) this.dismissed.delete(job.id); // retried from History: back in the queue
    this.emit();
    this.settle(job);
    if (job.state === 'failed' && job.error) this.offerFix(job);
  }

  /** Once per run to the end: what the job wrote (and, for a move, removed) is now different on screen. */
  private settle(job: Job): void {
    if (!isFinished(job.state)) {
      this.settled.delete(job.id);
      return;
    }
    if (this.settled.has(job.id)) return;
    this.settled.add(job.id);
    refreshEndpoint(job.spec.destination.endpoint);
    if (job.kind === 'move') refreshEndpoint(job.spec.source.endpoint);
    invalidate('jobs.list');
  }

  /** A job that stopped on an unknown host key or a missing secret: the same dialogs as any call, then retry. */
  private offerFix(job: Job): void {
    const err = new FerryClientError(job.error!);
    if (!INTERCEPTED_CODES.has(err.code) || this.prompted.has(job.id)) return;
    this.prompted.add(job.id);
    void intercept(err).then((r) => {
      this.prompted.delete(job.id);
      if (r === 'retry') void api.call('jobs.retry', { id: job.id }).catch(() => {});
    });
  }

  private progress(p: EventPayload<'jobs.progress'>): void {
    let touched = false;
    for (const u of p.jobs) {
      const j = this.jobs.get(u.id);
      if (!j) continue;
      const next = { ...j, ...u };
      this.jobs.set(u.id, next);
      touched = true;
      this.settle(next);
    }
    if (touched) this.emit();
    const byJob = new Map<string, FileProgress>();
    for (const f of p.files) {
      if (!this.fileListeners.get(f.jobId)?.size) continue;
      let arr = byJob.get(f.jobId);
      if (!arr) byJob.set(f.jobId, (arr = []));
      arr.push(f);
    }
    for (const [id, files] of byJob) for (const l of this.fileListeners.get(id) ?? []) l(files);
  }

  private emit(): void {
    this.snapshot = [...this.jobs.values()]
      .filter((j) => !this.dismissed.has(j.id))
      .sort((a, b) => b.createdAt.localeCompare(a.createdAt));
    for (const l of this.listeners) l();
  }
}

export const jobsStore = new JobsStore();
