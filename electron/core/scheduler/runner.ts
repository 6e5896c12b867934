import type { ErrorData } from '../../../shared/errors';
import type { Job, JobSpec } from '../../../shared/transfers';
import { FerryError, toErrorData } from '../errors';
import type { TransferEngine } from '../transfer/engine';

/** What a run moved and how it ended. */
export interface RunOutcome {
  state: 'done' | 'failed' | 'cancelled';
  files: number;
  bytes: number;
  /** Rows loaded or exported, where the job reports them. */
  rows: number | null;
  error: ErrorData | null;
}

/**
 * How the scheduler starts and follows runs. The core's is the transfer engine (runs are ordinary jobs in
 * the queue and its history); tests of the scheduling policy script one.
 */
export interface TaskRunner {
  /** Plans and queues the spec as a job; resolves with its id. Throws what planning throws. */
  start(spec: JobSpec): Promise<string>;
  /** Resolves when the job has ended (done, failed or cancelled). */
  outcome(jobId: string): Promise<RunOutcome>;
  /** A job another (dead) process was running: take it up here (the engine resumes it, finished files are not sent again). */
  adopt(jobId: string): Promise<void>;
  /** Whether the job is still to end here ('active'), has ended, or is gone from the queue's history. */
  status(jobId: string): 'active' | 'ended' | 'missing';
}

const FINAL = new Set(['done', 'failed', 'cancelled']);

export class EngineRunner implements TaskRunner {
  constructor(private readonly engine: TransferEngine) {}

  async start(spec: JobSpec): Promise<string> {
    return (await this.engine.create({ spec })).id;
  }

  outcome(jobId: string): Promise<RunOutcome> {
    return new Promise((resolve, reject) => {
      const check = (job: Job): boolean => {
        if (job.id !== jobId || !FINAL.has(job.state)) return false;
        off();
        try {
          resolve(this.summarize(jobId));
        } catch (e) {
          reject(e); // removed from the history as it ended
        }
        return true;
      };
      const off = this.engine.on('jobs.changed', check);
      try {
        check(this.engine.get(jobId).job);
      } catch (e) {
        off();
        reject(e);
      }
    });
  }

  async adopt(jobId: string): Promise<void> {
    await this.engine.resume(jobId);
  }

  status(jobId: string): 'active' | 'ended' | 'missing' {
    try {
      return FINAL.has(this.engine.get(jobId).job.state) ? 'ended' : 'active';
    } catch {
      return 'missing';
    }
  }

  private summarize(jobId: string): RunOutcome {
    const { job, files } = this.engine.get(jobId);
    const failed = files.find((f) => f.state === 'failed' && f.error);
    const error = job.error ?? failed?.error ?? (job.state === 'failed' ? toErrorData(new FerryError('INTERNAL', `${job.failedFiles} files failed`)) : null);
    const rowCounts = files.map((f) => /(\d+) rows?\b/.exec(f.reason ?? '')?.[1]).filter((r): r is string => r !== undefined);
    const state = job.state === 'done' && job.failedFiles > 0 ? 'failed' : (job.state as RunOutcome['state']);
    return {
      state,
      files: job.doneFiles,
      bytes: job.doneBytes,
      rows: rowCounts.length ? rowCounts.reduce((a, r) => a + Number(r), 0) : null,
      error: state === 'done' ? null : (error ?? toErrorData(new FerryError('CANCELLED', 'The run was cancelled'))),
    };
  }
}
