import { z } from 'zod';
import { ErrorDataSchema } from './errors';
import { JobSpecSchema } from './transfers';
import { CATCH_UP_POLICIES, OVERLAP_POLICIES } from './task-policies';

export { CATCH_UP_POLICIES, OVERLAP_POLICIES } from './task-policies';

/**
 * Saved tasks: a named JobSpec (any transfer Ferry can run) plus an optional schedule, run by the scheduler
 * as ordinary jobs. Tasks name profiles (by id, in the spec's endpoints); they never hold a secret.
 */
export const ScheduleSchema = z.discriminatedUnion('type', [
  /** Five fields (minute first), six (seconds first), or @hourly/@daily/@weekly/@monthly/@yearly. */
  z.object({ type: z.literal('cron'), expr: z.string().trim().min(1).max(200) }),
  /** A fixed interval, counted from when the schedule was saved. */
  z.object({ type: z.literal('every'), seconds: z.number().int().min(1).max(366 * 86400) }),
]);
export type Schedule = z.infer<typeof ScheduleSchema>;


export const TaskNameSchema = z
  .string()
  .min(1, 'a task needs a name')
  .max(100)
  // What an OS scheduler's entry would have to quote or would expand ("$", "%", backquote) is left out too.
  .regex(/^[^\s/\\][^/\\"`$%\u0000-\u001f]*$/, 'a task name cannot contain / \\ " ` $ % or control characters, or start with a space');

export const TaskInputSchema = z.object({
  name: TaskNameSchema,
  spec: JobSpecSchema,
  schedule: ScheduleSchema.nullable().default(null),
  /** IANA zone the schedule is read in; null: the system's. */
  timezone: z.string().min(1).max(64).nullable().default(null),
  /** A run missed while Ferry or the machine was off or asleep: run once on the next start or wake, or skip it. */
  catchUp: z.enum(CATCH_UP_POLICIES).default('once'),
  /** Missed runs older than this are skipped whatever the policy. */
  catchUpWindowHours: z.number().positive().max(24 * 366).default(24),
  /** A run due while the previous one still goes: skip it (recorded), or queue one to start when it ends. */
  overlap: z.enum(OVERLAP_POLICIES).default('skip'),
  /** Runs after a retryable failure (connection lost, timeout), waiting backoff × 2^(n-1) before the n-th. */
  retries: z.number().int().min(0).max(10).default(2),
  retryBackoffSeconds: z.number().int().min(1).max(86_400).default(60),
  enabled: z.boolean().default(true),
  /** Also notify when a run succeeds (failures are always notified). */
  notifyOnSuccess: z.boolean().default(false),
});
export type TaskInput = z.input<typeof TaskInputSchema>;
export type TaskSettings = z.output<typeof TaskInputSchema>;

export const RUN_STATES = ['running', 'done', 'failed', 'cancelled'] as const;
export type RunState = (typeof RUN_STATES)[number];

export const TaskRunSummarySchema = z.object({
  state: z.enum(RUN_STATES),
  at: z.string(),
  jobId: z.string().nullable(),
  error: ErrorDataSchema.nullable(),
});

export const TaskSchema = TaskInputSchema.extend({
  id: z.string(),
  createdAt: z.string(),
  updatedAt: z.string(),
  /** Why the scheduler stopped firing it (a fatal failure: auth, host key, a deleted profile); cleared by saving or enabling. */
  flagged: z.string().nullable(),
  /** The schedule in words ("At 06:00, Monday through Friday (Europe/Berlin)"), or "manual only". */
  scheduleText: z.string(),
  /** The next five run times (ISO), none when disabled, flagged or unscheduled. */
  nextRuns: z.array(z.string()),
  lastRun: TaskRunSummarySchema.nullable(),
  /** Shown where the job's endpoints are listed: "local → partner:/incoming". */
  summary: z.string(),
});
export type Task = z.infer<typeof TaskSchema>;

/**
 * What the task's history holds: runs (kind 'run', with their job and counts, updated when they end) and the
 * scheduler's decisions about the task (missed, skipped, queued, retry, flagged).
 */
export const HISTORY_KINDS = ['run', 'missed', 'skipped', 'queued', 'retry', 'flagged', 'changed'] as const;
export const RUN_TRIGGERS = ['schedule', 'catch-up', 'queued', 'retry', 'manual'] as const;

export const TaskHistoryEntrySchema = z.object({
  id: z.number(),
  taskId: z.string(),
  taskName: z.string(),
  at: z.string(),
  kind: z.enum(HISTORY_KINDS),
  message: z.string(),
  /** The scheduled time this entry is about (ISO), null for a manual run. */
  slot: z.string().nullable(),
  trigger: z.enum(RUN_TRIGGERS).nullable(),
  attempt: z.number().nullable(),
  state: z.enum(RUN_STATES).nullable(),
  jobId: z.string().nullable(),
  startedAt: z.string().nullable(),
  finishedAt: z.string().nullable(),
  files: z.number().nullable(),
  bytes: z.number().nullable(),
  rows: z.number().nullable(),
  error: ErrorDataSchema.nullable(),
});
export type TaskHistoryEntry = z.infer<typeof TaskHistoryEntrySchema>;

export const TaskPreviewRequestSchema = z.object({
  schedule: ScheduleSchema,
  timezone: z.string().nullable().default(null),
});
export const TaskPreviewSchema = z.object({
  text: z.string(),
  timezone: z.string(),
  nextRuns: z.array(z.string()),
});
export type TaskPreview = z.infer<typeof TaskPreviewSchema>;

/** tasks.changed: a task saved, enabled, flagged or its last run changed; `task` null when removed. */
export const TaskChangedEventSchema = z.object({ id: z.string(), task: TaskSchema.nullable() });
