import type { ErrorData } from '../../../shared/errors';
import type { JobSpec } from '../../../shared/transfers';
import type { RunState, Schedule, TaskHistoryEntry, TaskSettings } from '../../../shared/tasks';
import { FerryError } from '../errors';
import type { Db } from '../store/db';

/** A task as stored: its settings plus the scheduler's bookkeeping. */
export interface TaskRow extends TaskSettings {
  id: string;
  /** Profile id → name when saved, to name a profile that was deleted since. */
  endpointNames: Record<string, string>;
  flagged: string | null;
  lastSlot: number;
  anchor: number;
  queuedSlot: number | null;
  retryAt: number | null;
  retryAttempt: number | null;
  retrySlot: number | null;
  createdAt: string;
  updatedAt: string;
}

export type HistoryInput = Omit<TaskHistoryEntry, 'id' | 'slot'> & { slot: number | null; worker?: string | null };

export interface RunningRun {
  id: number;
  taskId: string;
  jobId: string | null;
  worker: string | null;
  slot: number | null;
  attempt: number;
  trigger: TaskHistoryEntry['trigger'];
}

export interface WorkerRow {
  id: string;
  host: string;
  pid: number;
  heartbeatAt: number;
}

/* eslint-disable @typescript-eslint/no-explicit-any */
function toTask(r: any): TaskRow {
  return {
    id: r.id,
    name: r.name,
    spec: JSON.parse(r.spec) as JobSpec,
    endpointNames: JSON.parse(r.endpoint_names) as Record<string, string>,
    schedule: r.schedule ? (JSON.parse(r.schedule) as Schedule) : null,
    timezone: r.timezone,
    catchUp: r.catch_up,
    catchUpWindowHours: r.catch_up_window_s / 3600,
    overlap: r.overlap,
    retries: r.retries,
    retryBackoffSeconds: r.retry_backoff_s,
    enabled: !!r.enabled,
    notifyOnSuccess: !!r.notify_success,
    flagged: r.flagged,
    lastSlot: r.last_slot,
    anchor: r.anchor,
    queuedSlot: r.queued_slot,
    retryAt: r.retry_at,
    retryAttempt: r.retry_attempt,
    retrySlot: r.retry_slot,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

function toEntry(r: any): TaskHistoryEntry {
  return {
    id: r.id,
    taskId: r.task_id,
    taskName: r.task_name,
    at: r.at,
    kind: r.kind,
    message: r.message,
    slot: r.slot === null ? null : new Date(r.slot).toISOString(),
    trigger: r.trigger,
    attempt: r.attempt,
    state: r.state,
    jobId: r.job_id,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    files: r.files,
    bytes: r.bytes,
    rows: r.rows,
    error: r.error ? (JSON.parse(r.error) as ErrorData) : null,
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const COLUMNS: Record<string, (t: Partial<TaskRow>) => unknown> = {
  name: (t) => t.name,
  spec: (t) => JSON.stringify(t.spec),
  endpoint_names: (t) => JSON.stringify(t.endpointNames ?? {}),
  schedule: (t) => (t.schedule ? JSON.stringify(t.schedule) : null),
  timezone: (t) => t.timezone,
  catch_up: (t) => t.catchUp,
  catch_up_window_s: (t) => Math.round((t.catchUpWindowHours ?? 0) * 3600),
  overlap: (t) => t.overlap,
  retries: (t) => t.retries,
  retry_backoff_s: (t) => t.retryBackoffSeconds,
  enabled: (t) => (t.enabled ? 1 : 0),
  notify_success: (t) => (t.notifyOnSuccess ? 1 : 0),
  flagged: (t) => t.flagged,
  last_slot: (t) => t.lastSlot,
  anchor: (t) => t.anchor,
  queued_slot: (t) => t.queuedSlot,
  retry_at: (t) => t.retryAt,
  retry_attempt: (t) => t.retryAttempt,
  retry_slot: (t) => t.retrySlot,
  updated_at: (t) => t.updatedAt,
};
const FIELD_OF: Record<string, keyof TaskRow> = {
  name: 'name', spec: 'spec', endpoint_names: 'endpointNames', schedule: 'schedule', timezone: 'timezone', catch_up: 'catchUp', catch_up_window_s: 'catchUpWindowHours',
  overlap: 'overlap', retries: 'retries', retry_backoff_s: 'retryBackoffSeconds', enabled: 'enabled', notify_success: 'notifyOnSuccess',
  flagged: 'flagged', last_slot: 'lastSlot', anchor: 'anchor', queued_slot: 'queuedSlot', retry_at: 'retryAt', retry_attempt: 'retryAttempt',
  retry_slot: 'retrySlot', updated_at: 'updatedAt',
};

const HISTORY_COLUMNS = ['task_id', 'task_name', 'at', 'kind', 'message', 'slot', 'trigger', 'attempt', 'state', 'job_id', 'worker', 'started_at', 'finished_at', 'files', 'bytes', 'rows', 'error'] as const;

/** Tasks, task history, workers and the scheduler lease in SQLite. Every write is one statement or one transaction. */
export class TaskStore {
  constructor(readonly db: Db) {}

  list(): TaskRow[] {
    return this.db.prepare('SELECT * FROM tasks ORDER BY name COLLATE NOCASE').all().map(toTask);
  }

  get(id: string): TaskRow {
    const row = this.db.prepare('SELECT * FROM tasks WHERE id = ?').get(id);
    if (!row) throw new FerryError('NOT_FOUND', `No task with id ${id}`, { detail: { taskId: id } });
    return toTask(row);
  }

  findByName(name: string): TaskRow | undefined {
    const row = this.db.prepare('SELECT * FROM tasks WHERE name = ? COLLATE NOCASE').get(name);
    return row ? toTask(row) : undefined;
  }

  insert(t: TaskRow): void {
    const cols = Object.keys(COLUMNS);
    this.db
      .prepare(`INSERT INTO tasks (id, created_at, ${cols.join(', ')}) VALUES (?, ?, ${cols.map(() => '?').join(', ')})`)
      .run(t.id, t.createdAt, ...cols.map((c) => COLUMNS[c](t)));
  }

  update(id: string, patch: Partial<TaskRow>): void {
    const cols = Object.keys(COLUMNS).filter((c) => FIELD_OF[c] in patch);
    if (!cols.length) return;
    this.db.prepare(`UPDATE tasks SET ${cols.map((c) => `${c} = ?`).join(', ')} WHERE id = ?`).run(...cols.map((c) => COLUMNS[c](patch)), id);
  }

  remove(id: string): void {
    this.db.prepare('DELETE FROM tasks WHERE id = ?').run(id);
  }

  /**
   * Moves the task's decided-up-to mark from `expected` to `slot`, only if no one else moved it: the one
   * step that makes a slot fire once even if two processes decide it at the same moment.
   */
  claimSlot(id: string, expected: number, slot: number): boolean {
    return this.db.prepare('UPDATE tasks SET last_slot = ? WHERE id = ? AND last_slot = ?').run(slot, id, expected).changes === 1;
  }

  /** Takes the queued slot (overlap: queue) if there is one, atomically. */
  takeQueuedSlot(id: string): number | null {
    return this.db.transaction(() => {
      const slot = this.db.prepare('SELECT queued_slot FROM tasks WHERE id = ?').pluck().get(id) as number | null | undefined;
      if (slot === null || slot === undefined) return null;
      this.db.prepare('UPDATE tasks SET queued_slot = NULL WHERE id = ?').run(id);
      return slot;
    }).immediate();
  }

  /** Takes the due retry if there is one, atomically. */
  takeRetry(id: string, now: number): { attempt: number; slot: number | null } | null {
    return this.db.transaction(() => {
      const r = this.db.prepare('SELECT retry_at, retry_attempt, retry_slot FROM tasks WHERE id = ?').get(id) as { retry_at: number | null; retry_attempt: number | null; retry_slot: number | null } | undefined;
      if (!r || r.retry_at === null || r.retry_at > now) return null;
      this.db.prepare('UPDATE tasks SET retry_at = NULL, retry_attempt = NULL, retry_slot = NULL WHERE id = ?').run(id);
      return { attempt: r.retry_attempt ?? 2, slot: r.retry_slot };
    }).immediate();
  }

  // ——— history ———

  addHistory(e: HistoryInput): number {
    const values: Record<(typeof HISTORY_COLUMNS)[number], unknown> = {
      task_id: e.taskId,
      task_name: e.taskName,
      at: e.at,
      kind: e.kind,
      message: e.message,
      slot: e.slot,
      trigger: e.trigger,
      attempt: e.attempt,
      state: e.state,
      job_id: e.jobId,
      worker: e.worker ?? null,
      started_at: e.startedAt,
      finished_at: e.finishedAt,
      files: e.files,
      bytes: e.bytes,
      rows: e.rows,
      error: e.error ? JSON.stringify(e.error) : null,
    };
    const sql = `INSERT INTO task_history (${HISTORY_COLUMNS.join(', ')}) VALUES (${HISTORY_COLUMNS.map(() => '?').join(', ')})`;
    return Number(this.db.prepare(sql).run(...HISTORY_COLUMNS.map((c) => values[c])).lastInsertRowid);
  }

  updateRun(id: number, patch: { state?: RunState; jobId?: string; worker?: string; message?: string; finishedAt?: string; files?: number; bytes?: number; rows?: number | null; error?: ErrorData | null }): void {
    const map: Record<string, [string, unknown]> = {
      state: ['state', patch.state],
      jobId: ['job_id', patch.jobId],
      worker: ['worker', patch.worker],
      message: ['message', patch.message],
      finishedAt: ['finished_at', patch.finishedAt],
      files: ['files', patch.files],
      bytes: ['bytes', patch.bytes],
      rows: ['rows', patch.rows],
      error: ['error', patch.error ? JSON.stringify(patch.error) : null],
    };
    const set = Object.keys(patch).filter((k) => k in map);
    if (!set.length) return;
    this.db.prepare(`UPDATE task_history SET ${set.map((k) => `${map[k][0]} = ?`).join(', ')} WHERE id = ?`).run(...set.map((k) => map[k][1]), id);
  }

  entry(id: number): TaskHistoryEntry {
    return toEntry(this.db.prepare('SELECT * FROM task_history WHERE id = ?').get(id));
  }

  /** Newest first; `query` matches the message, the task's name and the error text. */
  history(q: { taskId?: string; query?: string; limit?: number; kinds?: string[] } = {}): TaskHistoryEntry[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.taskId) {
      where.push('task_id = ?');
      args.push(q.taskId);
    }
    if (q.query) {
      where.push("(message LIKE ? ESCAPE '\\' OR task_name LIKE ? ESCAPE '\\' OR IFNULL(error, '') LIKE ? ESCAPE '\\')");
      const like = `%${q.query.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
      args.push(like, like, like);
    }
    if (q.kinds?.length) {
      where.push(`kind IN (${q.kinds.map(() => '?').join(', ')})`);
      args.push(...q.kinds);
    }
    const sql = `SELECT * FROM task_history ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY id DESC LIMIT ?`;
    return this.db.prepare(sql).all(...args, q.limit ?? 200).map(toEntry);
  }

  lastRun(taskId: string): TaskHistoryEntry | undefined {
    const row = this.db.prepare("SELECT * FROM task_history WHERE task_id = ? AND kind = 'run' ORDER BY id DESC LIMIT 1").get(taskId);
    return row ? toEntry(row) : undefined;
  }

  runningRuns(taskId?: string): RunningRun[] {
    const rows = this.db
      .prepare(`SELECT id, task_id, job_id, worker, slot, attempt, trigger FROM task_history WHERE state = 'running'${taskId ? ' AND task_id = ?' : ''}`)
      .all(...(taskId ? [taskId] : [])) as Array<{ id: number; task_id: string; job_id: string | null; worker: string | null; slot: number | null; attempt: number | null; trigger: RunningRun['trigger'] }>;
    return rows.map((r) => ({ id: r.id, taskId: r.task_id, jobId: r.job_id, worker: r.worker, slot: r.slot, attempt: r.attempt ?? 1, trigger: r.trigger }));
  }

  /** Moves a running run to `worker` if it still belongs to `from` (takeover of a dead worker's run, once). */
  adoptRun(id: number, from: string | null, worker: string): boolean {
    return this.db.prepare("UPDATE task_history SET worker = ? WHERE id = ? AND state = 'running' AND worker IS ?").run(worker, id, from).changes === 1;
  }

  pruneHistory(beforeIso: string): number {
    return this.db.prepare("DELETE FROM task_history WHERE at < ? AND IFNULL(state, '') <> 'running'").run(beforeIso).changes;
  }

  // ——— workers and the lease ———

  heartbeat(w: WorkerRow): void {
    this.db
      .prepare('INSERT INTO task_workers (id, host, pid, heartbeat_at) VALUES (?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET heartbeat_at = excluded.heartbeat_at')
      .run(w.id, w.host, w.pid, w.heartbeatAt);
  }

  worker(id: string): WorkerRow | undefined {
    const r = this.db.prepare('SELECT * FROM task_workers WHERE id = ?').get(id) as { id: string; host: string; pid: number; heartbeat_at: number } | undefined;
    return r ? { id: r.id, host: r.host, pid: r.pid, heartbeatAt: r.heartbeat_at } : undefined;
  }

  removeWorker(id: string): void {
    this.db.transaction(() => {
      this.db.prepare('DELETE FROM scheduler_lease WHERE worker = ?').run(id);
      this.db.prepare('DELETE FROM task_workers WHERE id = ?').run(id);
    })();
  }

  pruneWorkers(beforeMs: number): void {
    this.db.prepare('DELETE FROM task_workers WHERE heartbeat_at < ? AND id NOT IN (SELECT worker FROM scheduler_lease)').run(beforeMs);
  }

  /**
   * Holds the lease for `worker`, or takes it when its holder is dead (`isDead`). One IMMEDIATE transaction,
   * so two processes never both see themselves as holder.
   */
  holdLease(worker: string, now: number, isDead: (holder: WorkerRow | undefined) => boolean): { held: boolean; tookOverFrom: string | null } {
    return this.db.transaction(() => {
      const row = this.db.prepare("SELECT worker FROM scheduler_lease WHERE name = 'scheduler'").get() as { worker: string } | undefined;
      if (row?.worker === worker) return { held: true, tookOverFrom: null };
      if (row && !isDead(this.worker(row.worker))) return { held: false, tookOverFrom: null };
      this.db
        .prepare("INSERT INTO scheduler_lease (name, worker, acquired_at) VALUES ('scheduler', ?, ?) ON CONFLICT(name) DO UPDATE SET worker = excluded.worker, acquired_at = excluded.acquired_at")
        .run(worker, now);
      return { held: true, tookOverFrom: row?.worker ?? null };
    }).immediate();
  }

  leaseHolder(): string | null {
    return (this.db.prepare("SELECT worker FROM scheduler_lease WHERE name = 'scheduler'").pluck().get() as string | undefined) ?? null;
  }
}
