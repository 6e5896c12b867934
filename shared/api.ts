import { z } from 'zod';
import { ConnectorInfoSchema, EndpointSchema, EntrySchema } from './connectors';
import { ErrorDataSchema, HostKeyDetailSchema } from './errors';
import { ProfileInputSchema, ProfileSchema, TestResultSchema } from './profiles';
import { TableInfoSchema } from './table';
import {
  CONFLICT_POLICIES,
  JOB_STATES,
  JobFileSchema,
  JobProgressEventSchema,
  JobSchema,
  JobSpecSchema,
  PlanSchema,
} from './transfers';
import { LoadPlanRequestSchema, LoadPlanSchema, PreviewRequestSchema, PreviewSchema } from './table';
import { TaskChangedEventSchema, TaskHistoryEntrySchema, TaskInputSchema, TaskPreviewRequestSchema, TaskPreviewSchema, TaskSchema } from './tasks';

/**
 * The API contract: one table of methods (input and output schemas) and one of events.
 * The same table is served over Electron IPC (preload → main) and over WebSocket (`ferry serve`);
 * both sides validate every payload against it. Errors cross as ErrorData, never as a stack.
 */
const method = <I extends z.ZodType, O extends z.ZodType>(input: I, output: O) => ({ input, output });
const none = z.object({}).strict().default({});
const ok = z.object({ ok: z.literal(true) });
const byId = z.object({ id: z.string() });

export const KeychainStatusSchema = z.object({
  available: z.boolean(),
  backend: z.string(),
  /** Why it is unavailable, in plain words (secrets are then held in memory for this session only). */
  reason: z.string().optional(),
});

export const apiContract = {
  'app.info': method(
    none,
    z.object({
      version: z.string(),
      home: z.string(),
      platform: z.string(),
      localHome: z.string(),
      keychain: KeychainStatusSchema,
    }),
  ),
  'connectors.list': method(none, z.array(ConnectorInfoSchema)),

  'profiles.list': method(none, z.array(ProfileSchema)),
  'profiles.get': method(byId, ProfileSchema),
  'profiles.create': method(ProfileInputSchema, ProfileSchema),
  'profiles.update': method(ProfileInputSchema.extend({ id: z.string() }), ProfileSchema),
  'profiles.duplicate': method(z.object({ id: z.string(), name: z.string().optional() }), ProfileSchema),
  'profiles.remove': method(byId, ok),
  /** Test a saved profile, or an unsaved form (input) before saving. */
  'profiles.test': method(
    z.object({ id: z.string().optional(), input: ProfileInputSchema.optional() }),
    TestResultSchema,
  ),
  'profiles.importSshConfig': method(
    z.object({ path: z.string().optional() }),
    z.object({
      imported: z.array(ProfileSchema),
      skipped: z.array(z.object({ host: z.string(), reason: z.string() })),
    }),
  ),

  /** Without a keychain: hand a secret to the core for this session only (memory, never disk). */
  'secrets.provide': method(z.object({ profileId: z.string(), name: z.string(), value: z.string() }), ok),

  'trust.accept': method(HostKeyDetailSchema, ok),
  'trust.list': method(
    none,
    z.array(z.object({ kind: z.enum(['ssh', 'tls']), host: z.string(), port: z.number(), keyType: z.string(), fingerprint: z.string() })),
  ),
  'trust.remove': method(z.object({ kind: z.enum(['ssh', 'tls']), host: z.string(), port: z.number() }), ok),

  'fs.home': method(z.object({ endpoint: EndpointSchema }), z.object({ path: z.string() })),
  'fs.list': method(
    z.object({ endpoint: EndpointSchema, path: z.string() }),
    z.object({ path: z.string(), entries: z.array(EntrySchema) }),
  ),
  'fs.stat': method(z.object({ endpoint: EndpointSchema, path: z.string() }), EntrySchema),
  'fs.mkdir': method(z.object({ endpoint: EndpointSchema, path: z.string() }), ok),
  'fs.remove': method(
    z.object({ endpoint: EndpointSchema, paths: z.array(z.string()).min(1), recursive: z.boolean().default(false) }),
    ok,
  ),
  'fs.rename': method(z.object({ endpoint: EndpointSchema, from: z.string(), to: z.string() }), ok),
  /** A database table's or view's columns (types, nullability, key) and row estimate: PROFILE's "/schema/table". */
  'table.describe': method(z.object({ endpoint: EndpointSchema, path: z.string() }), TableInfoSchema),

  /** Dry run: the plan a job would run. Sync runs exactly a plan the user saw (jobs.create with planId). */
  'jobs.plan': method(JobSpecSchema, PlanSchema),
  'jobs.create': method(
    z.object({ spec: JobSpecSchema.optional(), planId: z.string().optional() }),
    JobSchema,
  ),
  'jobs.list': method(
    z.object({
      states: z.array(z.enum(JOB_STATES)).optional(),
      query: z.string().optional(),
      limit: z.number().int().positive().max(1000).default(200),
    }),
    z.array(JobSchema),
  ),
  'jobs.get': method(byId, z.object({ job: JobSchema, files: z.array(JobFileSchema) })),
  'jobs.pause': method(z.object({ id: z.string(), fileIdx: z.number().int().optional() }), ok),
  'jobs.resume': method(z.object({ id: z.string(), fileIdx: z.number().int().optional() }), ok),
  'jobs.cancel': method(z.object({ id: z.string(), fileIdx: z.number().int().optional() }), ok),
  'jobs.retry': method(z.object({ id: z.string(), fileIdx: z.number().int().optional() }), ok),
  'jobs.resolveConflict': method(
    z.object({
      id: z.string(),
      fileIdx: z.number().int(),
      policy: z.enum(CONFLICT_POLICIES).exclude(['ask']),
      applyToAll: z.boolean().default(false),
    }),
    ok,
  ),
  'jobs.remove': method(byId, ok),

  /** Saved tasks (docs/tasks.md): a job definition plus an optional schedule, run by the scheduler as ordinary jobs. */
  'tasks.list': method(none, z.array(TaskSchema)),
  'tasks.get': method(byId, TaskSchema),
  /** Creates (no id) or replaces a task; refused when the job, the schedule or a profile is wrong. */
  'tasks.save': method(TaskInputSchema.extend({ id: z.string().optional() }), TaskSchema),
  'tasks.remove': method(byId, ok),
  'tasks.enable': method(z.object({ id: z.string(), enabled: z.boolean() }), TaskSchema),
  /** Runs it now through the scheduler's path; returns once the run is recorded (its job follows in jobs.*). */
  'tasks.run': method(byId, z.object({ runId: z.number() })),
  'tasks.history': method(
    z.object({ id: z.string().optional(), query: z.string().optional(), limit: z.number().int().positive().max(1000).default(200) }),
    z.array(TaskHistoryEntrySchema),
  ),
  /** A draft schedule in words and its next five runs, as the user types. */
  'tasks.preview': method(TaskPreviewRequestSchema, TaskPreviewSchema),

  /** Rows of a table file (CSV, xlsx, Parquet, JSON) on any endpoint, read with ranged reads: schema, dialect, rows from offset. */
  'table.preview': method(PreviewRequestSchema, PreviewSchema),
  /** A load's dry run: the column mapping, the DDL and the first rows as they would be loaded; changes nothing. */
  'table.loadPlan': method(LoadPlanRequestSchema, LoadPlanSchema),
} as const;

export const apiEvents = {
  'jobs.progress': JobProgressEventSchema,
  'jobs.changed': JobSchema,
  'tasks.changed': TaskChangedEventSchema,
  /** A task's run ended (notifications: always when it failed). */
  'tasks.runEnded': TaskHistoryEntrySchema,
} as const;

export type ApiContract = typeof apiContract;
export type MethodName = keyof ApiContract;
export type MethodInput<M extends MethodName> = z.input<ApiContract[M]['input']>;
export type MethodOutput<M extends MethodName> = z.output<ApiContract[M]['output']>;
export type EventName = keyof typeof apiEvents;
export type EventPayload<E extends EventName> = z.output<(typeof apiEvents)[E]>;
export const METHOD_NAMES = Object.keys(apiContract) as MethodName[];
export const EVENT_NAMES = Object.keys(apiEvents) as EventName[];

/** The core implements this; each transport dispatches to it after validating the input. */
export type ApiHandlers = { [M in MethodName]: (input: z.output<ApiContract[M]['input']>) => Promise<MethodOutput<M>> };

/** Envelope of a call's result: errors are data. */
export type CallResult<T> = { ok: true; result: T } | { ok: false; error: z.output<typeof ErrorDataSchema> };

/**
 * What the preload exposes on window.ferry, and what the WebSocket client implements: nothing else.
 * `call` only accepts contract methods; the core validates the input again.
 */
export interface FerryBridge {
  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallResult<MethodOutput<M>>>;
  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void;
}

/** WebSocket wire format for `ferry serve`. */
export const WsRequestSchema = z.object({ id: z.number().int(), method: z.string(), input: z.unknown() });
export type WsMessage =
  | { type: 'result'; id: number; result: CallResult<unknown> }
  | { type: 'event'; event: EventName; payload: unknown };
