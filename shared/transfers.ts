import { z } from 'zod';
import { EndpointSchema } from './connectors';
import { ErrorDataSchema } from './errors';
import { LoadSpecSchema, TableReadOptionsSchema, TableWriteOptionsSchema } from './table';
import { CONFLICT_POLICIES } from './conflict-policies';

export { CONFLICT_POLICIES, type ConflictPolicy } from './conflict-policies';
export { rowsProgressText } from './rows-progress';

/**
 * convert: one table read and written in another form through the same queue: a file in another format
 * (CSV → Parquet...), a database table or query to a file (export), a file or table into a table (load).
 */
export const JOB_KINDS = ['copy', 'move', 'sync', 'convert'] as const;

export const FiltersSchema = z.object({
  include: z.array(z.string()).default([]),
  exclude: z.array(z.string()).default([]),
  minSize: z.number().int().nonnegative().optional(),
  maxSize: z.number().int().nonnegative().optional(),
  modifiedAfter: z.string().optional(),
  modifiedBefore: z.string().optional(),
});
export type Filters = z.infer<typeof FiltersSchema>;

export const JobSpecSchema = z.object({
  kind: z.enum(JOB_KINDS),
  source: z.object({
    endpoint: EndpointSchema,
    /** Files, folders, or globs (a glob in the last segment: "/in/*.csv"). */
    paths: z.array(z.string()).min(1),
  }),
  destination: z.object({
    endpoint: EndpointSchema,
    /** The folder that receives the files. */
    path: z.string(),
  }),
  recursive: z.boolean().default(true),
  filters: FiltersSchema.default({ include: [], exclude: [] }),
  conflict: z.enum(CONFLICT_POLICIES).default('ask'),
  /**
   * Copy what symbolic links in the source point to (files, and folders walked into, a link back to a folder
   * it is inside of excepted). Off: links are listed as skipped, as rclone does without --copy-links.
   */
  followSymlinks: z.boolean().default(false),
  /** sync only: delete destination files that are not in the source (only those listed in the plan). */
  mirror: z.boolean().default(false),
  /** Size always; 'hash' (default) also an md5 wherever a side can give one to compare with Ferry's of the streamed bytes. */
  verify: z.enum(['size', 'hash']).default('hash'),
  /** Files in flight at once for this job. */
  transfers: z.number().int().min(1).max(64).default(4),
  /**
   * Connections one large file (64 MiB and more) is read over at once, in ordered segments, where the source
   * declares parallelReads (FTP, object stores). 1: one stream. Helps where one connection is slower than the
   * link (distant servers, per-connection limits); on a fast local network one stream is faster.
   */
  streams: z.number().int().min(1).max(16).default(1),
  /** Bytes per second for the whole job; null for no limit. */
  bwlimit: z.number().int().positive().nullable().default(null),
  /**
   * convert only: the destination file's name (in destination.path) and how to read the source and write
   * the result. The source is one file (source.paths[0]).
   */
  convert: z
    .object({
      name: z.string().min(1),
      read: TableReadOptionsSchema.default({}),
      write: TableWriteOptionsSchema.default({}),
      /** Export: the rows of this query on the source database instead of a table or file (source.paths[0] is ignored). */
      query: z.string().min(1).max(1_000_000).optional(),
      /** Load: the destination is a database table (destination.path the schema, name the table); how to treat what is there. */
      load: LoadSpecSchema.optional(),
      /** Export and convert: only these source columns, in this order (a load has its own in `load`). */
      columns: LoadSpecSchema.shape.columns,
      /** Export and convert: source column → the name it gets in the file. */
      rename: LoadSpecSchema.shape.rename,
    })
    .optional(),
});
export type JobSpec = z.infer<typeof JobSpecSchema>;
export type JobSpecInput = z.input<typeof JobSpecSchema>;

export const PLAN_ACTIONS = ['copy', 'overwrite', 'resume', 'rename', 'skip', 'delete', 'mkdir', 'conflict'] as const;
export type PlanAction = (typeof PLAN_ACTIONS)[number];

export const PlanItemSchema = z.object({
  /** Path relative to the job's roots, '/'-separated. */
  relPath: z.string(),
  srcPath: z.string().nullable(),
  dstPath: z.string(),
  action: z.enum(PLAN_ACTIONS),
  size: z.number(),
  modified: z.string().nullable(),
  reason: z.string().optional(),
});
export type PlanItem = z.infer<typeof PlanItemSchema>;

export const PlanSchema = z.object({
  id: z.string(),
  spec: JobSpecSchema,
  items: z.array(PlanItemSchema),
  totals: z.object({
    files: z.number(),
    bytes: z.number(),
    copies: z.number(),
    overwrites: z.number(),
    deletes: z.number(),
    skips: z.number(),
    conflicts: z.number(),
  }),
  createdAt: z.string(),
});
export type Plan = z.infer<typeof PlanSchema>;

/**
 * interrupted: queued or running in a process that is gone (killed, crashed, or shut down mid-job); it is
 * never stored, but seen so. Another process may take it over: `ferry job resume`, or the app and
 * `ferry serve` when they start.
 */
export const JOB_STATES = ['queued', 'running', 'paused', 'waiting', 'done', 'failed', 'cancelled', 'interrupted'] as const;
export type JobState = (typeof JOB_STATES)[number];
export const FILE_STATES = ['pending', 'running', 'paused', 'conflict', 'done', 'skipped', 'failed', 'cancelled'] as const;
export type FileState = (typeof FILE_STATES)[number];

export const JobSchema = z.object({
  id: z.string(),
  kind: z.enum(JOB_KINDS),
  spec: JobSpecSchema,
  state: z.enum(JOB_STATES),
  title: z.string(),
  totalFiles: z.number(),
  totalBytes: z.number(),
  doneFiles: z.number(),
  doneBytes: z.number(),
  failedFiles: z.number(),
  skippedFiles: z.number(),
  /** Bytes per second right now (running) or on average (finished). */
  rate: z.number(),
  etaSeconds: z.number().nullable(),
  createdAt: z.string(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  error: ErrorDataSchema.nullable(),
  /**
   * A load or export (a convert job): rows so far, live while it runs and kept in its last event, and
   * their total where known before the end (a table's row estimate, a Parquet footer); absent otherwise.
   */
  doneRows: z.number().optional(),
  totalRows: z.number().nullable().optional(),
});
export type Job = z.infer<typeof JobSchema>;

export const JobFileSchema = z.object({
  jobId: z.string(),
  idx: z.number(),
  relPath: z.string(),
  srcPath: z.string().nullable(),
  dstPath: z.string(),
  action: z.enum(PLAN_ACTIONS),
  size: z.number(),
  state: z.enum(FILE_STATES),
  bytesDone: z.number(),
  attempts: z.number(),
  rate: z.number(),
  error: ErrorDataSchema.nullable(),
  /** Why it was skipped, or what a finished load did ("1000 rows loaded"). */
  reason: z.string().optional(),
  /** A finished load: source rows read, loaded, and rejected (skipped into the rejects file of spec.convert.load.rejects). */
  rows: z.object({ read: z.number(), loaded: z.number(), rejected: z.number() }).optional(),
  /**
   * How a finished file was checked: 'md5' (Ferry's md5 of the bytes sent equal to a side's), or 'size'
   * (the size the destination holds; no side could give an md5). Both include the source re-check (its size
   * and time unchanged after the copy) where the source is a file system.
   */
  verified: z.enum(['md5', 'size']).optional(),
  /** A load or export in flight: rows so far and their total where known (as the job's doneRows/totalRows). */
  rowsDone: z.number().optional(),
  rowsTotal: z.number().nullable().optional(),
});
export type JobFile = z.infer<typeof JobFileSchema>;

/** Batched (a few per second at most), so a large job never floods the UI. */
export const JobProgressEventSchema = z.object({
  jobs: z.array(
    JobSchema.pick({ id: true, state: true, doneFiles: true, doneBytes: true, failedFiles: true, rate: true, etaSeconds: true, doneRows: true, totalRows: true }),
  ),
  files: z.array(JobFileSchema.pick({ jobId: true, idx: true, state: true, bytesDone: true, rate: true, rowsDone: true, rowsTotal: true })),
});
export type JobProgressEvent = z.infer<typeof JobProgressEventSchema>;
