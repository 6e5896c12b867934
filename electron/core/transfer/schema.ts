/**
 * The transfer engine's tables. Plans are kept so `jobs.create({planId})` runs exactly the plan the user saw;
 * a job copies its plan's items into transfer_files, one row per file, whose state is the truth a restarted
 * process resumes from (the job row's counters are a cache recomputed from them).
 */
export const TRANSFER_MIGRATIONS: Array<{ id: string; sql: string }> = [
  {
    id: 'transfer-001',
    sql: `
      CREATE TABLE transfer_plans (
        id TEXT PRIMARY KEY,
        spec TEXT NOT NULL,
        totals TEXT NOT NULL,
        created_at TEXT NOT NULL
      );

      CREATE TABLE transfer_plan_items (
        plan_id TEXT NOT NULL REFERENCES transfer_plans(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        rel_path TEXT NOT NULL,
        src_path TEXT,
        dst_path TEXT NOT NULL,
        action TEXT NOT NULL,
        size INTEGER NOT NULL,
        modified TEXT,
        reason TEXT,
        -- JSON: hashes the source listing reported (free to compare after the write)
        src_hashes TEXT,
        -- JSON ErrorData: a name refused while planning (PATH_ESCAPE, INVALID_NAME...)
        error TEXT,
        -- destination facts at planning time (mirror deletes only what still matches them)
        dst_size INTEGER,
        dst_modified TEXT,
        PRIMARY KEY (plan_id, idx)
      ) WITHOUT ROWID;

      CREATE TABLE transfer_jobs (
        id TEXT PRIMARY KEY,
        plan_id TEXT,
        kind TEXT NOT NULL,
        spec TEXT NOT NULL,
        state TEXT NOT NULL,
        title TEXT NOT NULL,
        -- source and destination paths, lower-cased, for history search
        search TEXT NOT NULL,
        total_files INTEGER NOT NULL,
        total_bytes INTEGER NOT NULL,
        done_files INTEGER NOT NULL DEFAULT 0,
        done_bytes INTEGER NOT NULL DEFAULT 0,
        failed_files INTEGER NOT NULL DEFAULT 0,
        skipped_files INTEGER NOT NULL DEFAULT 0,
        -- bytes actually sent (not skipped, not resumed-over) and time spent running: the average rate
        moved_bytes INTEGER NOT NULL DEFAULT 0,
        active_ms INTEGER NOT NULL DEFAULT 0,
        rate REAL NOT NULL DEFAULT 0,
        -- a conflict policy chosen with "apply to all"
        conflict_override TEXT,
        created_at TEXT NOT NULL,
        started_at TEXT,
        finished_at TEXT,
        error TEXT
      );
      CREATE INDEX transfer_jobs_state ON transfer_jobs(state);
      CREATE INDEX transfer_jobs_created ON transfer_jobs(created_at);

      CREATE TABLE transfer_files (
        job_id TEXT NOT NULL REFERENCES transfer_jobs(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        rel_path TEXT NOT NULL,
        src_path TEXT,
        dst_path TEXT NOT NULL,
        action TEXT NOT NULL,
        size INTEGER NOT NULL,
        modified TEXT,
        src_hashes TEXT,
        dst_size INTEGER,
        dst_modified TEXT,
        state TEXT NOT NULL,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        attempts INTEGER NOT NULL DEFAULT 0,
        rate REAL NOT NULL DEFAULT 0,
        error TEXT,
        -- why the plan or the run chose this action, or skipped the file ("unchanged", "changed since the plan")
        reason TEXT,
        -- the conflict policy the user chose for this file
        policy TEXT,
        -- how the written file was checked: 'md5' (compared with a hash from either side) or 'size'
        verified TEXT,
        -- the offset the last successful run continued from (0: sent whole)
        resumed_from INTEGER,
        PRIMARY KEY (job_id, idx)
      ) WITHOUT ROWID;
      CREATE INDEX transfer_files_state ON transfer_files(job_id, state);
    `,
  },
  {
    id: 'transfer-load-rows',
    // JSON {read, loaded, rejected} of a finished load
    sql: `ALTER TABLE transfer_files ADD COLUMN load_rows TEXT;`,
  },
  {
    // Reliability: the process that owns a job and its heartbeat (a job whose owner is gone is 'interrupted'
    // and may be taken over), and the writer leases: one job at a time writes a destination path.
    id: 'transfer-002',
    sql: `
      ALTER TABLE transfer_jobs ADD COLUMN owner TEXT;
      ALTER TABLE transfer_jobs ADD COLUMN heartbeat_at INTEGER;

      CREATE TABLE transfer_writer_leases (
        endpoint TEXT NOT NULL,
        -- the destination path (lower-cased where the endpoint ignores case)
        path_key TEXT NOT NULL,
        job_id TEXT NOT NULL,
        file_idx INTEGER NOT NULL,
        acquired_at TEXT NOT NULL,
        PRIMARY KEY (endpoint, path_key)
      ) WITHOUT ROWID;
      CREATE INDEX transfer_writer_leases_job ON transfer_writer_leases(job_id);
    `,
  },
];
