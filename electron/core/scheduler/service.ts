import { randomUUID } from 'node:crypto';
import { LOCAL_ENDPOINT } from '../../../shared/endpoints';
import { joinPath } from '../../../shared/paths';
import type { Schedule, Task, TaskHistoryEntry, TaskInput, TaskPreview } from '../../../shared/tasks';
import type { JobSpec } from '../../../shared/transfers';
import { FerryError } from '../errors';
import type { Clock } from './clock';
import { compileSchedule, nextRuns } from './schedule';
import type { Scheduler } from './scheduler';
import type { TaskRow, TaskStore } from './store';

export interface TaskServiceDeps {
  store: TaskStore;
  scheduler: Scheduler;
  clock: Clock;
  /** The profile's name for an endpoint id; throws NOT_FOUND when there is no such profile. */
  profileName(endpoint: string): string;
}

/** Saved tasks as the API and the CLI see them: validated when saved, shown with their next runs and last result. */
export class TaskService {
  constructor(private readonly d: TaskServiceDeps) {}

  list(): Task[] {
    return this.d.store.list().map((t) => this.view(t));
  }

  get(id: string): Task {
    return this.view(this.d.store.get(id));
  }

  /** A task by id or (case-insensitive) name, for the CLI. */
  resolve(idOrName: string): TaskRow {
    const byName = this.d.store.findByName(idOrName);
    if (byName) return byName;
    try {
      return this.d.store.get(idOrName);
    } catch {
      throw new FerryError('NOT_FOUND', `No task named "${idOrName}" (see: ferry task list)`, { detail: { task: idOrName } });
    }
  }

  /**
   * Creates (no id) or replaces a task, refusing what could only fail later: a spec the engine would refuse,
   * a conflict policy that asks (no one is there at 06:00), a profile that does not exist, a bad schedule or zone.
   */
  async save(input: TaskInput & { id?: string }): Promise<Task> {
    // The schemas (and zod) load here, not at start-up: see transfer/job-spec.ts.
    const [{ TaskInputSchema }, { parseSpec }] = await Promise.all([import('../../../shared/tasks'), import('../transfer/job-spec')]);
    const parsed = TaskInputSchema.safeParse(input);
    if (!parsed.success) {
      const what = parsed.error.issues.map((i) => `${i.path.join('.') || 'task'}: ${i.message}`).join('; ');
      throw new FerryError('INVALID_INPUT', `Invalid task: ${what}`);
    }
    const settings = { ...parsed.data, spec: parseSpec(parsed.data.spec) };
    if (settings.spec.conflict === 'ask') {
      throw new FerryError('INVALID_INPUT', 'A task runs unattended, so it cannot ask about conflicts: choose overwrite, if-changed, skip, rename or resume');
    }
    const endpointNames = this.endpointNames(settings.spec);
    if (settings.schedule) compileSchedule(settings.schedule, settings.timezone);
    else if (settings.timezone) compileSchedule({ type: 'every', seconds: 60 }, settings.timezone);
    const clash = this.d.store.findByName(settings.name);
    if (clash && clash.id !== input.id) throw new FerryError('ALREADY_EXISTS', `A task named "${settings.name}" exists already`, { detail: { task: settings.name } });
    const now = this.d.clock.now();
    const iso = new Date(now).toISOString();
    if (!input.id) {
      const row: TaskRow = { ...settings, id: randomUUID(), endpointNames, flagged: null, lastSlot: now, anchor: wholeSecond(now), queuedSlot: null, retryAt: null, retryAttempt: null, retrySlot: null, createdAt: iso, updatedAt: iso };
      this.d.store.insert(row);
      return this.view(row);
    }
    const old = this.d.store.get(input.id);
    const scheduleChanged = JSON.stringify(old.schedule) !== JSON.stringify(settings.schedule) || old.timezone !== settings.timezone;
    // A new schedule starts from now: the old one's missed slots are not the new one's to catch up.
    const restart = scheduleChanged || (!old.enabled && settings.enabled) ? { lastSlot: now, anchor: scheduleChanged ? wholeSecond(now) : old.anchor } : {};
    this.d.store.update(input.id, { ...settings, endpointNames, flagged: null, updatedAt: iso, ...restart, ...(settings.enabled ? {} : { retryAt: null, queuedSlot: null }) });
    return this.get(input.id);
  }

  remove(id: string): void {
    this.d.store.get(id);
    this.d.store.remove(id);
  }

  /** Enabling clears a flag and starts the schedule from now (what passed while disabled is not caught up). */
  setEnabled(id: string, enabled: boolean): Task {
    const t = this.d.store.get(id);
    const now = this.d.clock.now();
    const patch: Partial<TaskRow> = enabled
      ? { enabled, flagged: null, ...(!t.enabled || t.flagged ? { lastSlot: now } : {}) }
      : { enabled, retryAt: null, retryAttempt: null, retrySlot: null, queuedSlot: null };
    this.d.store.update(id, { ...patch, updatedAt: new Date(now).toISOString() });
    return this.get(id);
  }

  /** Starts a run now (the scheduler's own path); `ended` resolves when it has been recorded. */
  run(id: string): { runId: number; ended: Promise<TaskHistoryEntry> } {
    return this.d.scheduler.runNow(this.d.store.get(id));
  }

  history(q: { id?: string; query?: string; limit?: number }): TaskHistoryEntry[] {
    if (q.id) this.d.store.get(q.id);
    return this.d.store.history({ taskId: q.id, query: q.query, limit: q.limit });
  }

  preview(schedule: Schedule, timezone: string | null): TaskPreview {
    const s = compileSchedule(schedule, timezone, this.d.clock.now());
    return { text: `${s.text} (${s.timezone})`, timezone: s.timezone, nextRuns: nextRuns(s, this.d.clock.now(), 5).map((t) => new Date(t).toISOString()) };
  }

  view(t: TaskRow): Task {
    const { endpointNames: _n, lastSlot, anchor, queuedSlot: _q, retryAt: _r, retryAttempt: _a, retrySlot: _s, ...settings } = t;
    let scheduleText = 'Manual only';
    let next: string[] = [];
    if (t.schedule) {
      try {
        const s = compileSchedule(t.schedule, t.timezone, anchor);
        scheduleText = `${s.text} (${s.timezone})`;
        if (t.enabled && !t.flagged) next = nextRuns(s, Math.max(lastSlot, this.d.clock.now()), 5).map((x) => new Date(x).toISOString());
      } catch (e) {
        scheduleText = `Invalid schedule: ${(e as Error).message}`;
      }
    }
    const last = this.d.store.lastRun(t.id);
    return {
      ...settings,
      scheduleText,
      nextRuns: next,
      lastRun: last ? { state: last.state ?? 'failed', at: last.startedAt ?? last.at, jobId: last.jobId, error: last.error } : null,
      summary: this.summary(t),
    };
  }

  private summary(t: TaskRow): string {
    const side = (ep: string, path: string) => `${ep === LOCAL_ENDPOINT ? 'local' : (this.nameOr(ep, t.endpointNames[ep]))}:${path}`;
    const spec = t.spec;
    const to = spec.convert ? joinPath(spec.destination.path, spec.convert.name) : spec.destination.path;
    const verb = spec.convert?.load ? 'load' : spec.convert?.query ? 'export' : spec.kind === 'sync' && spec.mirror ? 'mirror' : spec.kind;
    return `${verb} ${side(spec.source.endpoint, spec.convert?.query ? '(query)' : spec.source.paths.join(', '))} → ${side(spec.destination.endpoint, to)}`;
  }

  private nameOr(ep: string, knownAs: string | undefined): string {
    try {
      return this.d.profileName(ep);
    } catch {
      return `${knownAs ?? ep} (deleted)`;
    }
  }

  private endpointNames(spec: JobSpec): Record<string, string> {
    const names: Record<string, string> = {};
    for (const ep of [spec.source.endpoint, spec.destination.endpoint]) {
      if (ep === LOCAL_ENDPOINT) continue;
      try {
        names[ep] = this.d.profileName(ep);
      } catch {
        throw new FerryError('INVALID_INPUT', `The task names a profile that does not exist (${ep}): see ferry profile list`, { detail: { profile: ep } });
      }
    }
    return names;
  }
}

/** Intervals count from a whole second, so their runs read 10:07:23, not 10:07:23.581. */
const wholeSecond = (ms: number) => Math.floor(ms / 1000) * 1000;
