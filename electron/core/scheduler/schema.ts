import type { Migration } from '../store/db';

/**
 * Tasks, their history, and the scheduler's lease. Times the scheduler compares are epoch milliseconds
 * (INTEGER); times people read are ISO text.
 */
export const TASK_MIGRATIONS: Migration[] = [
  {
    id: 'tasks-001',
    sql: `
      CREATE TABLE tasks (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE,
        -- the JobSpec (JSON), endpoints by profile id: never a secret
        spec TEXT NOT NULL,
        -- the names of the profiles the spec's endpoints are (id -> name) when saved: said if one is deleted
        endpoint_names TEXT NOT NULL DEFAULT '{}',
        -- the Schedule (JSON) or NULL for manual-only tasks
        schedule TEXT,
        timezone TEXT,
        catch_up TEXT NOT NULL,
        catch_up_window_s INTEGER NOT NULL,
        overlap TEXT NOT NULL,
        retries INTEGER NOT NULL,
        retry_backoff_s INTEGER NOT NULL,
        enabled INTEGER NOT NULL,
        notify_success INTEGER NOT NULL DEFAULT 0,
        -- why the scheduler stopped firing it (a fatal failure); NULL when fine
        flagged TEXT,
        -- the latest scheduled time already decided (run, skipped or missed): only later slots are due
        last_slot INTEGER NOT NULL,
        -- intervals count from here (when the schedule was saved)
        anchor INTEGER NOT NULL,
        -- a slot queued behind a running run (overlap: queue)
        queued_slot INTEGER,
        -- a retry waiting: when, which attempt it will be, and the slot it retries
        retry_at INTEGER,
        retry_attempt INTEGER,
        retry_slot INTEGER,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );

      CREATE TABLE task_history (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        task_id TEXT NOT NULL,
        task_name TEXT NOT NULL,
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        message TEXT NOT NULL,
        slot INTEGER,
        trigger TEXT,
        attempt INTEGER,
        -- runs: running, done, failed, cancelled
        state TEXT,
        job_id TEXT,
        -- the process running it (task_workers.id): another takes the run over when that one is dead
        worker TEXT,
        started_at TEXT,
        finished_at TEXT,
        files INTEGER,
        bytes INTEGER,
        rows INTEGER,
        error TEXT
      );
      CREATE INDEX task_history_task ON task_history(task_id, id);
      CREATE INDEX task_history_at ON task_history(at);
      CREATE INDEX task_history_running ON task_history(state) WHERE state = 'running';
      -- a scheduled slot runs at most once per attempt, whatever two processes believe
      CREATE UNIQUE INDEX task_history_slot_once ON task_history(task_id, slot, attempt) WHERE kind = 'run' AND slot IS NOT NULL;

      CREATE TABLE task_workers (
        id TEXT PRIMARY KEY,
        host TEXT NOT NULL,
        pid INTEGER NOT NULL,
        heartbeat_at INTEGER NOT NULL
      );

      -- one row: which worker fires scheduled runs for this store
      CREATE TABLE scheduler_lease (
        name TEXT PRIMARY KEY,
        worker TEXT NOT NULL,
        acquired_at INTEGER NOT NULL
      );
    `,
  },
];
