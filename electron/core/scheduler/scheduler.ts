import { pidAlive } from '../transfer/owner';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ErrorData } from '../../../shared/errors';
import type { TaskHistoryEntry } from '../../../shared/tasks';
import type { Logger } from '../connectors/types';
import { describeError, FerryError, toErrorData } from '../errors';
import { systemClock, type Clock } from './clock';
import { classifyFailure, retryDelayMs } from './policy';
import type { RunOutcome, TaskRunner } from './runner';
import { compileSchedule, localTime, slotsBetween, systemTimezone } from './schedule';
import type { HistoryInput, TaskRow, TaskStore, WorkerRow } from './store';

export interface SchedulerOptions {
  store: TaskStore;
  runner: TaskRunner;
  log: Logger;
  clock?: Clock;
  /** How often the scheduler looks (ms). */
  tickMs?: number;
  /** A worker whose heartbeat is older than this is dead: its lease and runs are taken over. */
  staleMs?: number;
  /** How late a slot may be seen and still run as scheduled (not as a missed run). */
  graceMs?: number;
  /** A tick this much later than expected means the wall clock jumped (sleep, resume): a catch-up follows. */
  jumpMs?: number;
  /** History older than this is deleted. */
  retentionDays?: number;
  /** Throws NOT_FOUND (detail.deletedProfile) when an endpoint names a profile that no longer exists. */
  checkEndpoint(endpoint: string, knownAs: string | undefined): void;
  /** A task's entry in the store changed (saved, a run started or ended, flagged). */
  onChange?(taskId: string): void;
  /** A run ended: for notifications. */
  onRunEnded?(entry: TaskHistoryEntry, task: TaskRow | undefined): void;
}

type MissReason = 'off' | 'asleep' | 'no-scheduler';
const WHY: Record<MissReason, string> = {
  off: 'while Ferry was not running',
  asleep: 'while the computer was asleep',
  'no-scheduler': 'while no scheduler was running',
};

/**
 * Fires saved tasks on time, once. Every process on a store heartbeats as a worker; one of them holds the
 * lease and decides slots (a dead holder's lease is taken over). A slot is claimed by a compare-and-set of
 * the task's last decided slot, and a unique index on (task, slot, attempt) backs that up, so two processes
 * never both run it. Every decision goes to the task's history.
 */
export class Scheduler {
  readonly workerId = randomUUID();
  private readonly clock: Clock;
  private readonly host = hostname();
  private readonly tickMs: number;
  private readonly staleMs: number;
  private readonly graceMs: number;
  private readonly jumpMs: number;
  private timer: NodeJS.Timeout | null = null;
  private lastTickAt: number | null = null;
  private woke = false;
  private beating = false;
  private holding = false;
  private lastPrune = 0;
  /** Runs this process follows to their end. */
  private readonly watching = new Set<number>();
  private readonly inflight = new Set<Promise<unknown>>();

  constructor(private readonly o: SchedulerOptions) {
    this.clock = o.clock ?? systemClock;
    this.tickMs = o.tickMs ?? 1000;
    this.staleMs = o.staleMs ?? 15_000;
    this.graceMs = o.graceMs ?? 60_000;
    this.jumpMs = o.jumpMs ?? 30_000;
  }

  /** Runs the loop on real timers: `fire` false only heartbeats (a CLI `task run` whose run no one must take over). */
  start(fire = true): void {
    if (this.timer) return;
    this.heartbeat();
    // A store that is busy or a bug in one decision must not end the process: say it, look again next tick.
    const loop = () => {
      try {
        if (fire) this.tick();
        else this.heartbeat();
      } catch (e) {
        this.o.log.warn(`scheduler tick failed: ${(e as Error).message}`);
      }
    };
    loop();
    this.timer = setInterval(loop, this.tickMs);
  }

  /** Stops firing and gives the lease up (runs already started go on in the engine). */
  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    if (this.beating) this.o.store.removeWorker(this.workerId);
    this.beating = false;
    this.holding = false;
  }

  /** Resolves when every run this process started or took over has been recorded as ended. */
  async idle(): Promise<void> {
    while (this.inflight.size) await Promise.allSettled([...this.inflight]);
  }

  /** The shell saw the machine resume (powerMonitor): the next tick catches up. */
  wake(): void {
    this.woke = true;
    try {
      if (this.timer) this.tick();
    } catch (e) {
      this.o.log.warn(`scheduler tick failed: ${(e as Error).message}`);
    }
  }

  get holdsLease(): boolean {
    return this.holding;
  }

  /** One look: heartbeat, lease, orphaned runs, retries due, slots due. Synchronous; runs go on in the background. */
  tick(): void {
    const now = this.clock.now();
    const jumped = this.lastTickAt !== null && now - this.lastTickAt > this.tickMs + this.jumpMs;
    const reason: MissReason = this.lastTickAt === null ? 'off' : jumped || this.woke ? 'asleep' : 'no-scheduler';
    if (jumped) this.o.log.info(`clock jumped ${Math.round((now - this.lastTickAt!) / 1000)} s (sleep or resume): catching up`);
    this.lastTickAt = now;
    this.woke = false;
    this.heartbeat();
    const lease = this.o.store.holdLease(this.workerId, now, (w) => this.isDead(w, now));
    if (!lease.held) {
      if (this.holding) this.o.log.info('another Ferry process holds the scheduler lease now');
      this.holding = false;
      return;
    }
    if (!this.holding) this.o.log.info(lease.tookOverFrom ? `took over the scheduler lease from a stopped process (${lease.tookOverFrom})` : 'holding the scheduler lease');
    this.holding = true;
    this.adoptOrphans(now);
    if (now - this.lastPrune > 3600_000) this.prune(now);
    for (const task of this.o.store.list()) {
      if (!task.enabled || task.flagged) continue;
      const retry = this.o.store.takeRetry(task.id, now);
      if (retry) this.fire(task, retry.slot, 'retry', retry.attempt);
      if (task.schedule) this.decide(task, now, reason);
    }
  }

  /** A run now, outside the schedule (run now, `ferry task run`): refused while one runs. Resolves with the ended run. */
  runNow(task: TaskRow): { runId: number; ended: Promise<TaskHistoryEntry> } {
    if (this.activeRuns(task).length) throw new FerryError('CONFLICT', `Task "${task.name}" is running already`, { detail: { task: task.name } });
    const run = this.startRun(task, null, 'manual', 1, 'Run now');
    if (!run) throw new FerryError('CONFLICT', `Task "${task.name}" is running already`);
    return run;
  }

  // ——— decisions ———

  private decide(task: TaskRow, now: number, reason: MissReason): void {
    let sched;
    try {
      sched = compileSchedule(task.schedule!, task.timezone, task.anchor);
    } catch (e) {
      this.flag(task, toErrorData(e));
      return;
    }
    const s = slotsBetween(sched, task.lastSlot, now);
    if (!s.count || s.last === null || s.first === null) return;
    if (!this.o.store.claimSlot(task.id, task.lastSlot, s.last)) return;
    task.lastSlot = s.last;
    const t = (ms: number) => localTime(ms, sched.timezone);
    if (s.first >= now - this.graceMs) {
      // On time (slots a tick apart under a lagging loop are one run, not a backlog).
      this.fire(task, s.last, 'schedule', 1);
      return;
    }
    const onTime = s.last >= now - this.graceMs;
    const missedCount = onTime ? s.count - 1 : s.count;
    const lastMissed = onTime ? sched.latest(s.last - 1) ?? s.first : s.last;
    const what = missedCount === 1 ? t(s.first) : `${s.more ? 'more than ' : ''}${missedCount} runs (${t(s.first)} to ${t(lastMissed)})`;
    if (onTime) {
      this.note(task, 'missed', `Missed ${what} ${WHY[reason]}; the ${t(s.last)} run starts on time`, lastMissed);
      this.fire(task, s.last, 'schedule', 1);
      return;
    }
    const windowMs = task.catchUpWindowHours * 3600_000;
    if (task.catchUp === 'once' && now - s.last <= windowMs) {
      this.fire(task, s.last, 'catch-up', 1, `Missed ${what} ${WHY[reason]}, caught up at ${t(now)}`);
      return;
    }
    const why = task.catchUp === 'skip' ? 'catch-up is off for this task' : `older than its ${task.catchUpWindowHours} h catch-up window`;
    this.note(task, 'missed', `Missed ${what} ${WHY[reason]}; not caught up (${why})`, s.last);
  }

  /** Starts a run unless one is going: then skip it or queue one (overlap policy), recorded either way. */
  private fire(task: TaskRow, slot: number | null, trigger: NonNullable<TaskHistoryEntry['trigger']>, attempt: number, message?: string): void {
    const tz = task.timezone ?? systemTimezone();
    const when = slot === null ? '' : localTime(slot, tz);
    if (this.activeRuns(task).length) {
      const fresh = this.o.store.get(task.id);
      if (task.overlap === 'queue' && trigger !== 'queued' && fresh.queuedSlot === null && slot !== null) {
        this.o.store.update(task.id, { queuedSlot: slot });
        this.note(task, 'queued', `The ${when} run waits: the previous run is still going (overlap: queue)`, slot);
      } else {
        this.note(task, 'skipped', `Skipped the ${when} run: the previous run was still going${task.overlap === 'queue' ? ' and one run is queued already' : ''}`, slot);
      }
      return;
    }
    const text =
      message ??
      (trigger === 'retry'
        ? `Retry ${attempt - 1} of ${task.retries}${slot !== null ? ` of the ${when} run` : ''}`
        : trigger === 'queued'
          ? `The ${when} run, queued behind the previous one`
          : `Scheduled run of ${when}`);
    this.startRun(task, slot, trigger, attempt, text);
  }

  private startRun(task: TaskRow, slot: number | null, trigger: NonNullable<TaskHistoryEntry['trigger']>, attempt: number, message: string): { runId: number; ended: Promise<TaskHistoryEntry> } | null {
    const at = new Date(this.clock.now()).toISOString();
    let runId: number;
    try {
      runId = this.o.store.addHistory({ ...blankEntry(task), at, kind: 'run', message, slot, trigger, attempt, state: 'running', startedAt: at, worker: this.workerId });
    } catch (e) {
      // The unique (task, slot, attempt) index: another process ran this slot already.
      this.o.log.warn(`not running ${task.name} twice for one slot`, { slot, error: (e as Error).message });
      return null;
    }
    this.o.log.info(`${task.name}: ${message}`);
    this.watching.add(runId);
    this.o.onChange?.(task.id);
    const ended = this.follow(runId, task.id, async () => {
      for (const ep of [task.spec.source.endpoint, task.spec.destination.endpoint]) this.o.checkEndpoint(ep, task.endpointNames[ep]);
      const jobId = await this.o.runner.start(task.spec);
      this.o.store.updateRun(runId, { jobId });
      this.o.onChange?.(task.id);
      return this.o.runner.outcome(jobId);
    });
    return { runId, ended };
  }

  /** Runs `getOutcome` to the run's end (an error is the run's failure), then records it. */
  private follow(runId: number, taskId: string, getOutcome: () => Promise<RunOutcome>): Promise<TaskHistoryEntry> {
    const p = (async () => {
      let outcome: RunOutcome;
      try {
        outcome = await getOutcome();
      } catch (e) {
        outcome = { state: 'failed', files: 0, bytes: 0, rows: null, error: toErrorData(e) };
      }
      return this.finish(runId, taskId, outcome);
    })();
    this.inflight.add(p);
    void p.finally(() => {
      this.inflight.delete(p);
      this.watching.delete(runId);
    });
    return p;
  }

  private finish(runId: number, taskId: string, out: RunOutcome): TaskHistoryEntry {
    const now = this.clock.now();
    const entry = this.o.store.entry(runId);
    const moved = `${out.files} file${out.files === 1 ? '' : 's'}, ${out.bytes} bytes${out.rows !== null ? `, ${out.rows} rows` : ''}`;
    const result = out.state === 'done' ? `done: ${moved}` : out.state === 'cancelled' ? 'cancelled' : `failed: ${out.error ? describeError(out.error) : 'unknown error'}`;
    this.o.store.updateRun(runId, { state: out.state, finishedAt: new Date(now).toISOString(), files: out.files, bytes: out.bytes, rows: out.rows, error: out.error, message: `${entry.message}; ${result}` });
    let task: TaskRow | undefined;
    try {
      task = this.o.store.get(taskId);
    } catch {
      task = undefined; // removed while it ran
    }
    this.o.log.info(`${entry.taskName}: ${result}`);
    if (task && out.state === 'failed' && out.error) this.afterFailure(task, entry, out.error, now);
    const final = this.o.store.entry(runId);
    this.o.onRunEnded?.(final, task);
    if (task) {
      const queued = this.o.store.takeQueuedSlot(task.id);
      const fresh = this.o.store.get(task.id);
      if (queued !== null && fresh.enabled && !fresh.flagged) this.fire(fresh, queued, 'queued', 1);
      this.o.onChange?.(task.id);
    }
    return final;
  }

  private afterFailure(task: TaskRow, run: TaskHistoryEntry, error: ErrorData, now: number): void {
    const cls = classifyFailure(error);
    const attempt = run.attempt ?? 1;
    if (cls === 'fatal') return this.flag(task, error);
    if (cls !== 'retryable' || run.trigger === 'manual') return;
    const slot = run.slot === null ? null : Date.parse(run.slot);
    if (attempt > task.retries) {
      this.note(task, 'retry', `Gave up after ${attempt} attempts: ${describeError(error)}`, slot);
      return;
    }
    const at = now + retryDelayMs(attempt + 1, task.retryBackoffSeconds);
    this.o.store.update(task.id, { retryAt: at, retryAttempt: attempt + 1, retrySlot: slot });
    this.note(task, 'retry', `Retry ${attempt} of ${task.retries} at ${localTime(at, task.timezone ?? systemTimezone())} after: ${describeError(error)}`, slot);
  }

  private flag(task: TaskRow, error: ErrorData): void {
    const reason = describeError(error);
    this.o.store.update(task.id, { flagged: reason, retryAt: null, retryAttempt: null, retrySlot: null, queuedSlot: null });
    this.note(task, 'flagged', `Flagged and not run again until edited or enabled: ${reason}`, null);
    this.o.log.warn(`${task.name}: flagged: ${reason}`);
  }

  private note(task: TaskRow, kind: HistoryInput['kind'], message: string, slot: number | null): void {
    this.o.store.addHistory({ ...blankEntry(task), at: new Date(this.clock.now()).toISOString(), kind, message, slot });
    this.o.log.info(`${task.name}: ${message}`);
    this.o.onChange?.(task.id);
  }

  // ——— liveness ———

  private activeRuns(task: TaskRow) {
    return this.o.store.runningRuns(task.id).filter((r) => this.watching.has(r.id) || !r.jobId || this.o.runner.status(r.jobId) === 'active');
  }

  private heartbeat(): void {
    this.beating = true;
    this.o.store.heartbeat({ id: this.workerId, host: this.host, pid: process.pid, heartbeatAt: this.clock.now() });
  }

  private isDead(w: WorkerRow | undefined, now: number): boolean {
    if (!w) return true;
    if (now - w.heartbeatAt > this.staleMs) return true;
    // On this machine a crashed process is known at once: no need to wait for its heartbeat to age.
    return w.host === this.host && w.pid !== process.pid && !pidAlive(w.pid);
  }

  /** Runs whose worker died (killed mid-run): their jobs resume here and their ends are recorded once. */
  private adoptOrphans(now: number): void {
    for (const r of this.o.store.runningRuns()) {
      if (this.watching.has(r.id) || r.worker === this.workerId) continue;
      if (!this.isDead(r.worker ? this.o.store.worker(r.worker) : undefined, now)) continue;
      if (!this.o.store.adoptRun(r.id, r.worker, this.workerId)) continue;
      this.watching.add(r.id);
      this.o.log.info(`taking over run ${r.id} of a stopped process${r.jobId ? ` (job ${r.jobId})` : ''}`);
      void this.follow(r.id, r.taskId, async () => {
        if (!r.jobId) throw new FerryError('CANCELLED', 'Interrupted before its job was created');
        const status = this.o.runner.status(r.jobId);
        if (status === 'missing') throw new FerryError('NOT_FOUND', 'Its job was removed from the queue');
        if (status === 'active') await this.o.runner.adopt(r.jobId);
        return this.o.runner.outcome(r.jobId);
      });
    }
  }

  private prune(now: number): void {
    this.lastPrune = now;
    const days = this.o.retentionDays ?? 90;
    const removed = this.o.store.pruneHistory(new Date(now - days * 86_400_000).toISOString());
    this.o.store.pruneWorkers(now - 7 * 86_400_000);
    if (removed) this.o.log.info(`removed ${removed} history entries older than ${days} days`);
  }
}

function blankEntry(task: TaskRow): Omit<HistoryInput, 'at' | 'kind' | 'message' | 'slot'> {
  return { taskId: task.id, taskName: task.name, trigger: null, attempt: null, state: null, jobId: null, startedAt: null, finishedAt: null, files: null, bytes: null, rows: null, error: null };
}
