import { join } from 'node:path';
import type { ErrorCode } from '../../shared/errors';
import type { JobSpec } from '../../shared/transfers';
import type { TaskHistoryEntry, TaskInput } from '../../shared/tasks';
import { FerryError } from '../../electron/core/errors';
import { ManualClock } from '../../electron/core/scheduler/clock';
import type { RunOutcome, TaskRunner } from '../../electron/core/scheduler/runner';
import { TASK_MIGRATIONS } from '../../electron/core/scheduler/schema';
import { Scheduler, type SchedulerOptions } from '../../electron/core/scheduler/scheduler';
import { TaskService } from '../../electron/core/scheduler/service';
import { TaskStore } from '../../electron/core/scheduler/store';
import { openDatabase, type Db } from '../../electron/core/store/db';
import { quietLog } from '../transfer/support';

/**
 * Runs started by the scheduler under test, ended when the test says (or at once with `auto`). The
 * scheduling policy is what these tests check; the real engine runs tasks in tasks-engine.test.ts.
 */
export class ScriptedRunner implements TaskRunner {
  readonly started: Array<{ jobId: string; spec: JobSpec }> = [];
  /** Ends every run as soon as it starts with this outcome. */
  auto: RunOutcome | null = null;
  private readonly waiting = new Map<string, (o: RunOutcome) => void>();
  private readonly ended = new Set<string>();
  private n = 0;

  async start(spec: JobSpec): Promise<string> {
    const jobId = `job-${++this.n}`;
    this.started.push({ jobId, spec });
    return jobId;
  }

  outcome(jobId: string): Promise<RunOutcome> {
    if (this.auto) {
      this.ended.add(jobId);
      return Promise.resolve(this.auto);
    }
    return new Promise((resolve) => this.waiting.set(jobId, resolve));
  }

  async adopt(): Promise<void> {}

  status(jobId: string): 'active' | 'ended' | 'missing' {
    return this.ended.has(jobId) ? 'ended' : this.started.some((s) => s.jobId === jobId) ? 'active' : 'missing';
  }

  /** Ends a running job: done, or failed with an error code. */
  end(jobId: string, failWith?: ErrorCode): void {
    const resolve = this.waiting.get(jobId);
    if (!resolve) throw new Error(`${jobId} is not running`);
    this.waiting.delete(jobId);
    this.ended.add(jobId);
    resolve(failWith ? failed(failWith) : { state: 'done', files: 3, bytes: 300, rows: null, error: null });
  }

  get last(): string {
    return this.started[this.started.length - 1].jobId;
  }
}

export function failed(code: ErrorCode): RunOutcome {
  return { state: 'failed', files: 0, bytes: 0, rows: null, error: new FerryError(code, `${code} (scripted)`).toData() };
}

export const flush = () => new Promise<void>((r) => setImmediate(r));

export const localSpec = (): TaskInput['spec'] => ({
  kind: 'sync',
  source: { endpoint: 'local', paths: ['/tmp/ferry-task-src'] },
  destination: { endpoint: 'local', path: '/tmp/ferry-task-dst' },
  conflict: 'if-changed',
});

export interface Harness {
  db: Db;
  store: TaskStore;
  clock: ManualClock;
  runner: ScriptedRunner;
  scheduler: Scheduler;
  tasks: TaskService;
  profiles: Map<string, string>;
  /** Moves the clock and lets the scheduler look (one tick), then lets started runs settle. */
  step(ms: number): Promise<void>;
  runs(taskId?: string): TaskHistoryEntry[];
  entries(taskId?: string): TaskHistoryEntry[];
}

/** A scheduler on a store file (two harnesses may share one), a manual clock and a scripted runner. */
export function harness(dir: string, startIso: string, opts: Partial<SchedulerOptions> & { clock?: ManualClock } = {}): Harness {
  const db = openDatabase(join(dir, 'ferry.db'), TASK_MIGRATIONS);
  const store = new TaskStore(db);
  const clock = opts.clock ?? new ManualClock(Date.parse(startIso));
  const runner = new ScriptedRunner();
  const profiles = new Map<string, string>();
  const scheduler = new Scheduler({
    store,
    runner,
    log: quietLog,
    clock,
    ...opts,
    checkEndpoint: (ep, knownAs) => {
      if (ep !== 'local' && !profiles.has(ep)) throw new FerryError('NOT_FOUND', `The profile "${knownAs}" this task uses was deleted`, { detail: { deletedProfile: knownAs ?? ep } });
    },
  });
  const tasks = new TaskService({
    store,
    scheduler,
    clock,
    profileName: (ep) => {
      const name = profiles.get(ep);
      if (!name) throw new FerryError('NOT_FOUND', `No profile ${ep}`);
      return name;
    },
  });
  const entries = (taskId?: string) => store.history({ taskId, limit: 10_000 }).reverse();
  return {
    db,
    store,
    clock,
    runner,
    scheduler,
    tasks,
    profiles,
    async step(ms: number) {
      // Runs the test just ended record their end first (as they would have long before the next tick).
      await flush();
      clock.advance(ms);
      scheduler.tick();
      await flush();
      await flush();
    },
    entries,
    runs: (taskId?: string) => entries(taskId).filter((e) => e.kind === 'run'),
  };
}
