import type Database from 'better-sqlite3';
import type { ErrorData } from '../../../shared/errors';
import type { ConflictPolicy, FileState, Job, JobFile, JobSpec, JobState, Plan } from '../../../shared/transfers';
import { FerryError } from '../errors';
import { ownerGone, THIS_OWNER } from './owner';
import type { PlannedItem } from './planner';

type Db = Database.Database;

/** A job file row with what the engine keeps beside the API's JobFile. */
export interface FileRow extends Omit<JobFile, 'reason' | 'rows' | 'verified'> {
  modified: string | null;
  srcHashes: Record<string, string> | null;
  dstSize: number | null;
  dstModified: string | null;
  reason: string | null;
  policy: ConflictPolicy | null;
  verified: 'md5' | 'size' | null;
  resumedFrom: number | null;
  rows?: JobFile['rows'] | null;
}

export interface JobRow extends Job {
  planId: string | null;
  movedBytes: number;
  activeMs: number;
  conflictOverride: ConflictPolicy | null;
  /** The process running the job (owner.ts), null when none does; its last heartbeat (ms since 1970). */
  owner: string | null;
  heartbeatAt: number | null;
}

/** Who holds a writer lease another job asked for. */
export interface LeaseHolder {
  jobId: string;
  owner: string | null;
}

const json = (v: unknown) => (v === null || v === undefined ? null : JSON.stringify(v));
const parse = <T>(s: unknown): T | null => (typeof s === 'string' ? (JSON.parse(s) as T) : null);

/* eslint-disable @typescript-eslint/no-explicit-any */
function toJob(r: any): JobRow {
  return {
    id: r.id,
    planId: r.plan_id,
    kind: r.kind,
    spec: JSON.parse(r.spec) as JobSpec,
    state: r.state,
    title: r.title,
    totalFiles: r.total_files,
    totalBytes: r.total_bytes,
    doneFiles: r.done_files,
    doneBytes: r.done_bytes,
    failedFiles: r.failed_files,
    skippedFiles: r.skipped_files,
    rate: r.rate,
    etaSeconds: null,
    createdAt: r.created_at,
    startedAt: r.started_at,
    finishedAt: r.finished_at,
    error: parse<ErrorData>(r.error),
    movedBytes: r.moved_bytes,
    activeMs: r.active_ms,
    conflictOverride: r.conflict_override,
    owner: r.owner ?? null,
    heartbeatAt: r.heartbeat_at ?? null,
  };
}

function toFile(r: any): FileRow {
  return {
    jobId: r.job_id,
    idx: r.idx,
    relPath: r.rel_path,
    srcPath: r.src_path,
    dstPath: r.dst_path,
    action: r.action,
    size: r.size,
    state: r.state,
    bytesDone: r.bytes_done,
    attempts: r.attempts,
    rate: r.rate,
    error: parse<ErrorData>(r.error),
    modified: r.modified,
    srcHashes: parse(r.src_hashes),
    dstSize: r.dst_size,
    dstModified: r.dst_modified,
    reason: r.reason,
    policy: r.policy,
    verified: r.verified,
    resumedFrom: r.resumed_from,
    rows: parse(r.load_rows),
  };
}
/* eslint-enable @typescript-eslint/no-explicit-any */

/** The API's view of a job: the engine's extra columns stay inside. */
export function publicJob(j: JobRow): Job {
  const { planId: _p, movedBytes: _m, activeMs: _a, conflictOverride: _c, owner: _o, heartbeatAt: _h, ...job } = j;
  return job;
}

export function publicFile(f: FileRow): JobFile {
  const { modified: _m, srcHashes: _h, dstSize: _s, dstModified: _d, reason, policy: _p, verified, resumedFrom: _r, rows, ...file } = f;
  return { ...file, ...(reason ? { reason } : {}), ...(verified ? { verified } : {}), ...(rows ? { rows } : {}) };
}

/** How long a finished file's state may wait to share a commit with others (finishFile). */
export const FINISH_COMMIT_MS = 100;

/** Plans, jobs and job files in SQLite. Every write is one statement or one transaction. */
export class TransferStore {
  private readonly statements = new Map<string, Database.Statement>();
  /** Finished files' states waiting for their shared commit (finishFile), by job and index. */
  private readonly finished = new Map<string, { jobId: string; idx: number; patch: Partial<FileRow> }>();
  private finishTimer: NodeJS.Timeout | null = null;

  // Built once: better-sqlite3 makes a new wrapper (and its four variants) for every db.transaction() call,
  // and a transaction called inside another opens a savepoint. Per lease of a small file, those two cost as
  // much as the lease's own statements.
  private readonly leaseTx: Database.Transaction<TransferStore['leaseIfFree']>;
  private readonly leasesTx: Database.Transaction<TransferStore['leasesIfFree']>;

  constructor(private readonly db: Db) {
    this.leaseTx = db.transaction(this.leaseIfFree.bind(this));
    this.leasesTx = db.transaction(this.leasesIfFree.bind(this));
  }

  /** Prepared once per SQL text: a job of many small files runs the same few statements thousands of times. */
  private sql(text: string): Database.Statement {
    // Every read and write goes through here, so each sees the finished states as if they were committed.
    if (this.finished.size) this.commitFinished();
    let st = this.statements.get(text);
    if (!st) this.statements.set(text, (st = this.db.prepare(text)));
    return st;
  }

  insertPlan(id: string, spec: JobSpec, items: PlannedItem[], totals: Plan['totals'], createdAt: string): void {
    const insertItem = this.sql(
      `INSERT INTO transfer_plan_items (plan_id, idx, rel_path, src_path, dst_path, action, size, modified, reason, src_hashes, error, dst_size, dst_modified)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.db.transaction(() => {
      this.sql('INSERT INTO transfer_plans (id, spec, totals, created_at) VALUES (?, ?, ?, ?)').run(id, JSON.stringify(spec), JSON.stringify(totals), createdAt);
      items.forEach((i, idx) =>
        insertItem.run(id, idx, i.relPath, i.srcPath, i.dstPath, i.action, i.size, i.modified, i.reason ?? null, json(i.srcHashes), json(i.error), i.dstSize ?? null, i.dstModified ?? null),
      );
    })();
  }

  /**
   * A stored plan without its items (a job copies those in SQL, insertJob), and how many of them start the
   * job failed (an error found while planning) or skipped.
   */
  planHead(id: string): { spec: JobSpec; totals: Plan['totals']; createdAt: string; failed: number; skipped: number } {
    const row = this.sql('SELECT * FROM transfer_plans WHERE id = ?').get(id) as { spec: string; totals: string; created_at: string } | undefined;
    if (!row) throw new FerryError('NOT_FOUND', `No plan with id ${id} (plans are kept for a day)`, { detail: { planId: id } });
    const n = this.sql(
      `SELECT COUNT(error) AS failed, COALESCE(SUM(error IS NULL AND action = 'skip'), 0) AS skipped FROM transfer_plan_items WHERE plan_id = ?`,
    ).get(id) as { failed: number; skipped: number };
    return { spec: JSON.parse(row.spec) as JobSpec, totals: JSON.parse(row.totals), createdAt: row.created_at, failed: n.failed, skipped: n.skipped };
  }

  /** Plans nobody ran, older than `before`. */
  prunePlans(before: string): void {
    this.sql('DELETE FROM transfer_plans WHERE created_at < ? AND id NOT IN (SELECT plan_id FROM transfer_jobs WHERE plan_id IS NOT NULL)').run(before);
  }

  /**
   * The job and its files, copied from its plan's items inside SQLite: reading 2,000 items into objects and
   * writing them back one statement each took about 37 ms of CPU in a profile, all before the job's first
   * file; the copy takes about 8 (docs/benchmarks.md).
   * A file starts failed when planning found an error for it, skipped or in conflict when the plan says so,
   * and pending otherwise.
   */
  insertJob(job: JobRow, planId: string, search: string): void {
    this.db.transaction(() => {
      this
        .sql(
          `INSERT INTO transfer_jobs (id, plan_id, kind, spec, state, title, search, total_files, total_bytes, failed_files, skipped_files, created_at, owner, heartbeat_at)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
        )
        .run(job.id, job.planId, job.kind, JSON.stringify(job.spec), job.state, job.title, search, job.totalFiles, job.totalBytes, job.failedFiles, job.skippedFiles, job.createdAt, job.owner, job.heartbeatAt);
      this.sql(
        `INSERT INTO transfer_files (job_id, idx, rel_path, src_path, dst_path, action, size, modified, src_hashes, dst_size, dst_modified, state, error, reason)
         SELECT ?, idx, rel_path, src_path, dst_path, action, size, modified, src_hashes, dst_size, dst_modified,
           CASE WHEN error IS NOT NULL THEN 'failed' WHEN action = 'skip' THEN 'skipped' WHEN action = 'conflict' THEN 'conflict' ELSE 'pending' END,
           error, reason
         FROM transfer_plan_items WHERE plan_id = ? ORDER BY idx`,
      ).run(job.id, planId);
    })();
  }

  job(id: string): JobRow {
    const row = this.sql('SELECT * FROM transfer_jobs WHERE id = ?').get(id);
    if (!row) throw new FerryError('NOT_FOUND', `No job with id ${id}`, { detail: { jobId: id } });
    return toJob(row);
  }

  jobs(q: { states?: JobState[]; query?: string; limit?: number }): JobRow[] {
    const where: string[] = [];
    const args: unknown[] = [];
    if (q.states?.length) {
      where.push(`state IN (${q.states.map(() => '?').join(',')})`);
      args.push(...q.states);
    }
    if (q.query?.trim()) {
      // Titles and roots, then any file's path (history: "which job moved invoice-42.pdf?").
      const like = `%${q.query.trim().toLowerCase().replace(/[\\%_]/g, (c) => '\\' + c)}%`;
      where.push(`(search LIKE ? ESCAPE '\\' OR EXISTS (SELECT 1 FROM transfer_files f WHERE f.job_id = transfer_jobs.id AND lower(f.rel_path) LIKE ? ESCAPE '\\'))`);
      args.push(like, like);
    }
    const sql = `SELECT * FROM transfer_jobs ${where.length ? 'WHERE ' + where.join(' AND ') : ''} ORDER BY created_at DESC LIMIT ?`;
    return this.sql(sql).all(...args, q.limit ?? 200).map(toJob);
  }

  jobIdsIn(states: JobState[]): string[] {
    return this.sql(`SELECT id FROM transfer_jobs WHERE state IN (${states.map(() => '?').join(',')}) ORDER BY created_at`).pluck().all(...states) as string[];
  }

  updateJob(id: string, patch: Partial<JobRow>): void {
    const cols: Record<string, unknown> = {};
    const map: Record<string, string> = {
      state: 'state', doneFiles: 'done_files', doneBytes: 'done_bytes', failedFiles: 'failed_files', skippedFiles: 'skipped_files',
      totalFiles: 'total_files', totalBytes: 'total_bytes', rate: 'rate', startedAt: 'started_at', finishedAt: 'finished_at',
      movedBytes: 'moved_bytes', activeMs: 'active_ms', conflictOverride: 'conflict_override', owner: 'owner', heartbeatAt: 'heartbeat_at',
    };
    for (const [k, v] of Object.entries(patch)) if (map[k]) cols[map[k]] = v;
    if ('error' in patch) cols.error = json(patch.error);
    const keys = Object.keys(cols);
    if (!keys.length) return;
    this.sql(`UPDATE transfer_jobs SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE id = ?`).run(...keys.map((k) => cols[k]), id);
  }

  /**
   * Makes this process the job's owner, unless another process that is still alive owns it: then returns
   * that owner. One transaction that takes the write lock first, so two processes cannot both succeed.
   */
  claimJob(id: string, staleMs: number): { owner: string } | null {
    return this.db
      .transaction(() => {
        const r = this.sql('SELECT owner, heartbeat_at FROM transfer_jobs WHERE id = ?').get(id) as { owner: string | null; heartbeat_at: number | null } | undefined;
        if (!r) throw new FerryError('NOT_FOUND', `No job with id ${id}`, { detail: { jobId: id } });
        if (!ownerGone(r.owner, r.heartbeat_at, staleMs)) return r.owner === THIS_OWNER ? null : { owner: r.owner as string };
        this.sql('UPDATE transfer_jobs SET owner = ?, heartbeat_at = ? WHERE id = ?').run(THIS_OWNER, Date.now(), id);
        return null;
      })
      .immediate();
  }

  /** This process no longer runs the job (it is at rest, or the process shuts down). */
  releaseJob(id: string): void {
    this.sql('UPDATE transfer_jobs SET owner = NULL WHERE id = ? AND owner = ?').run(id, THIS_OWNER);
  }

  /** "Still alive" for every job this process owns. */
  heartbeat(): number {
    return this.sql('UPDATE transfer_jobs SET heartbeat_at = ? WHERE owner = ?').run(Date.now(), THIS_OWNER).changes;
  }

  /**
   * The writer lease on a destination path for one file of a job: taken when free, already this job's, or
   * held by a job whose owner is gone (or that no longer exists), or for a file of that job that is no
   * longer pending (done, failed, paused...: a file in flight is stored as pending). So a finished file's
   * lease needs no commit of its own to be given back; a run deletes its leases when it ends. Otherwise the
   * holder is returned and nothing changes.
   */
  takeWriterLease(endpoint: string, pathKey: string, jobId: string, idx: number, staleMs: number): LeaseHolder | null {
    return this.leaseTx.immediate(endpoint, pathKey, jobId, idx, staleMs);
  }

  /**
   * takeWriterLease for several paths of one job in one transaction (a run takes its next files' leases
   * ahead: one commit for many small files instead of one each). Returns the files whose path another
   * live job holds; their leases are not taken.
   */
  takeWriterLeases(endpoint: string, wants: Array<{ pathKey: string; idx: number }>, jobId: string, staleMs: number): Set<number> {
    return this.leasesTx.immediate(endpoint, wants, jobId, staleMs);
  }

  /** takeWriterLeases' work, inside the caller's transaction. */
  private leasesIfFree(endpoint: string, wants: Array<{ pathKey: string; idx: number }>, jobId: string, staleMs: number): Set<number> {
    const busy = new Set<number>();
    for (const w of wants) if (this.leaseIfFree(endpoint, w.pathKey, jobId, w.idx, staleMs)) busy.add(w.idx);
    return busy;
  }

  /** takeWriterLease's work, inside the caller's transaction. */
  private leaseIfFree(endpoint: string, pathKey: string, jobId: string, idx: number, staleMs: number): LeaseHolder | null {
    const held = this.sql(
      `SELECT l.job_id, j.owner, j.heartbeat_at, j.id AS job_exists, f.state AS file_state FROM transfer_writer_leases l
       LEFT JOIN transfer_jobs j ON j.id = l.job_id LEFT JOIN transfer_files f ON f.job_id = l.job_id AND f.idx = l.file_idx
       WHERE l.endpoint = ? AND l.path_key = ?`,
    ).get(endpoint, pathKey) as { job_id: string; owner: string | null; heartbeat_at: number | null; job_exists: string | null; file_state: FileState | null } | undefined;
    const writing = held && held.job_exists && (held.file_state === null || held.file_state === 'pending');
    if (held && writing && held.job_id !== jobId && !ownerGone(held.owner, held.heartbeat_at, staleMs)) return { jobId: held.job_id, owner: held.owner };
    this.sql('INSERT OR REPLACE INTO transfer_writer_leases (endpoint, path_key, job_id, file_idx, acquired_at) VALUES (?, ?, ?, ?, ?)').run(
      endpoint,
      pathKey,
      jobId,
      idx,
      new Date().toISOString(),
    );
    return null;
  }

  /** Every writer lease the job holds (its run ended: none of its files is being written). */
  releaseJobLeases(jobId: string): void {
    this.sql('DELETE FROM transfer_writer_leases WHERE job_id = ?').run(jobId);
  }

  deleteJob(id: string): void {
    this.db.transaction(() => {
      this.sql('DELETE FROM transfer_writer_leases WHERE job_id = ?').run(id);
      this.sql('DELETE FROM transfer_files WHERE job_id = ?').run(id);
      this.sql('DELETE FROM transfer_jobs WHERE id = ?').run(id);
    })();
  }

  files(jobId: string): FileRow[] {
    return this.sql('SELECT * FROM transfer_files WHERE job_id = ? ORDER BY idx').all(jobId).map(toFile);
  }

  file(jobId: string, idx: number): FileRow {
    const row = this.sql('SELECT * FROM transfer_files WHERE job_id = ? AND idx = ?').get(jobId, idx);
    if (!row) throw new FerryError('NOT_FOUND', `Job ${jobId} has no file #${idx}`, { detail: { jobId, fileIdx: idx } });
    return toFile(row);
  }

  filesIn(jobId: string, states: FileState[]): FileRow[] {
    return this.sql(`SELECT * FROM transfer_files WHERE job_id = ? AND state IN (${states.map(() => '?').join(',')}) ORDER BY idx`)
      .all(jobId, ...states)
      .map(toFile);
  }

  fileIdxIn(jobId: string, states: FileState[]): number[] {
    return this.sql(`SELECT idx FROM transfer_files WHERE job_id = ? AND state IN (${states.map(() => '?').join(',')}) ORDER BY idx`)
      .pluck()
      .all(jobId, ...states) as number[];
  }

  updateFile(jobId: string, idx: number, patch: Partial<FileRow>): void {
    const cols: Record<string, unknown> = {};
    const map: Record<string, string> = {
      state: 'state', bytesDone: 'bytes_done', attempts: 'attempts', rate: 'rate', action: 'action', dstPath: 'dst_path',
      size: 'size', reason: 'reason', policy: 'policy', verified: 'verified', resumedFrom: 'resumed_from',
    };
    for (const [k, v] of Object.entries(patch)) if (map[k]) cols[map[k]] = v;
    if ('error' in patch) cols.error = json(patch.error);
    if ('rows' in patch) cols.load_rows = json(patch.rows);
    const keys = Object.keys(cols);
    if (!keys.length) return;
    this.sql(`UPDATE transfer_files SET ${keys.map((k) => `${k} = ?`).join(', ')} WHERE job_id = ? AND idx = ?`).run(...keys.map((k) => cols[k]), jobId, idx);
  }

  /**
   * A file's finished state, committed together with the others that finish within FINISH_COMMIT_MS: one
   * commit per file was the store's largest cost on jobs of many small files (about 0.1 ms each, measured
   * in docs/benchmarks.md). A process killed in that window leaves those files pending while they are at
   * their final names; the next run finds them there, unchanged since this job copied them
   * (file-task.ts, finishedEarlier), and counts them done instead of copying them again.
   */
  finishFile(jobId: string, idx: number, patch: Partial<FileRow>): void {
    this.finished.set(`${jobId}\0${idx}`, { jobId, idx, patch });
    this.finishTimer ??= setTimeout(() => this.commitFinished(), FINISH_COMMIT_MS).unref();
  }

  /** Commits the finished states finishFile holds, in one transaction. */
  commitFinished(): void {
    if (this.finishTimer) clearTimeout(this.finishTimer);
    this.finishTimer = null;
    if (!this.finished.size) return;
    const rows = [...this.finished.values()];
    this.finished.clear();
    this.db.transaction(() => rows.forEach((r) => this.updateFile(r.jobId, r.idx, r.patch)))();
  }

  /** Progress of many files in one transaction (the periodic flush). */
  updateProgress(rows: Array<{ jobId: string; idx: number; bytesDone: number; rate: number }>): void {
    if (!rows.length) return;
    const stmt = this.sql('UPDATE transfer_files SET bytes_done = ?, rate = ? WHERE job_id = ? AND idx = ?');
    this.db.transaction(() => rows.forEach((r) => stmt.run(r.bytesDone, r.rate, r.jobId, r.idx)))();
  }

  /** Files a killed process left running go back to pending; a resume finds their partial temp files. */
  requeueRunning(jobId: string): void {
    this.sql("UPDATE transfer_files SET state = 'pending' WHERE job_id = ? AND state = 'running'").run(jobId);
  }

  /** Sets every file of the job in one of `from` states to `to` (cancel, retry, resume of a whole job). */
  moveFiles(jobId: string, from: FileState[], to: FileState, resetError = false): number {
    const sql = `UPDATE transfer_files SET state = ?${resetError ? ', error = NULL' : ''} WHERE job_id = ? AND state IN (${from.map(() => '?').join(',')})`;
    return this.sql(sql).run(to, jobId, ...from).changes;
  }

  /** The job's counters, recomputed from its files (the truth after a restart). */
  counts(jobId: string): { doneFiles: number; failedFiles: number; skippedFiles: number; doneBytes: number; open: number; conflicts: number; paused: number } {
    const rows = this.sql("SELECT state, count(*) AS n, sum(CASE WHEN state = 'done' THEN bytes_done ELSE 0 END) AS b FROM transfer_files WHERE job_id = ? AND action != 'mkdir' GROUP BY state")
      .all(jobId) as Array<{ state: FileState; n: number; b: number | null }>;
    const c = { doneFiles: 0, failedFiles: 0, skippedFiles: 0, doneBytes: 0, open: 0, conflicts: 0, paused: 0 };
    for (const r of rows) {
      if (r.state === 'done') {
        c.doneFiles = r.n;
        c.doneBytes = r.b ?? 0;
      } else if (r.state === 'failed') c.failedFiles = r.n;
      else if (r.state === 'skipped' || r.state === 'cancelled') c.skippedFiles += r.n;
      else if (r.state === 'conflict') c.conflicts = r.n;
      else if (r.state === 'paused') c.paused = r.n;
      else c.open += r.n;
    }
    return c;
  }

  /** The first failure, for the job's summary error. */
  firstError(jobId: string): { relPath: string; error: ErrorData } | null {
    const r = this.sql("SELECT rel_path, error FROM transfer_files WHERE job_id = ? AND state = 'failed' AND error IS NOT NULL ORDER BY idx LIMIT 1").get(jobId) as
      | { rel_path: string; error: string }
      | undefined;
    return r ? { relPath: r.rel_path, error: JSON.parse(r.error) } : null;
  }
}
