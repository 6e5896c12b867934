import { z } from 'zod';

/** Every connector type Ferry knows: file stores, then databases (same manifest shape, `tables: true`). */
export const CONNECTOR_TYPES = ['local', 'sftp', 'ftp', 'ftps', 's3', 'azure', 'gcs', 'postgres', 'mysql', 'sqlite', 'duckdb'] as const;
export type ConnectorType = (typeof CONNECTOR_TYPES)[number];

export const HASH_TYPES = ['md5', 'sha1', 'sha256', 'crc32c'] as const;
export type HashType = (typeof HASH_TYPES)[number];

/**
 * What a connector can do, declared up front (like rclone's Features). The engine and the UI read these;
 * an operation that is not declared is never called, so nothing throws "not implemented" at run time.
 */
export const CapabilitiesSchema = z.object({
  /** read(path, {start, end}) honours byte ranges without reading from the start. */
  rangedRead: z.boolean(),
  /** copy(from, to) inside one connection happens on the server. */
  serverSideCopy: z.boolean(),
  /** rename(from, to) exists (a move inside one connection). */
  rename: z.boolean(),
  /** rename replaces an existing destination atomically (POSIX rename semantics). */
  atomicRename: z.boolean(),
  /** A write is invisible under its name until it completes (object stores): no temp name needed. */
  atomicWrite: z.boolean(),
  /** write(path, src, {offset}) appends at an offset of an existing partial file (resume). */
  resumableWrite: z.boolean(),
  /** Large writes are split into parts sent in parallel. */
  multipartWrite: z.boolean(),
  /** Hashes that list/stat report (or hash() computes on the server) without downloading. */
  hashes: z.array(z.enum(['md5', 'sha1', 'sha256', 'crc32c'])),
  /** Modification time: kept on write? settable? with what precision (ms; 0 when not kept). */
  modTime: z.object({
    settable: z.boolean(),
    precisionMs: z.number(),
  }),
  /** Folders exist on their own (false for object stores, where a folder is a prefix or a marker). */
  emptyDirs: z.boolean(),
  /** Top-level folders are buckets/containers. */
  bucketBased: z.boolean(),
  caseInsensitive: z.boolean(),
  /** remove(path, {recursive: true}) deletes a tree server-side or efficiently. */
  purge: z.boolean(),
  /** Connections a server usually allows; the engine never opens more than this per endpoint. */
  maxConnections: z.number().int().positive(),
  /**
   * Ranged reads of one file on several connections at once go faster than one stream (a per-connection
   * limit, as with FTP data connections or HTTP GETs), so the engine reads a large file in parallel segments.
   */
  parallelReads: z.boolean(),
  /**
   * One connector serves several read() calls at once (an HTTP client with its own pool of sockets, the
   * local disk): a reader that asks for several ranges together (a Parquet preview: one per column) sends
   * them together on one lease, instead of one after another.
   */
  sharedReads: z.boolean(),
  /**
   * Small files one connection carries at once (absent: 1). SFTP multiplexes requests on its channel, so
   * several small files on one connection cost less CPU, on both ends, than a connection each
   * (docs/benchmarks.md); a large file still gets a connection of its own.
   */
  sharedTransfers: z.number().int().positive().optional(),
});
export type Capabilities = z.infer<typeof CapabilitiesSchema>;

export const OPTION_KINDS = ['string', 'number', 'boolean', 'enum', 'secret', 'file', 'text'] as const;

/**
 * One declared profile option. The profile form, the CLI flags and docs/connectors.md are generated from these.
 * `secret` options live only in the OS keychain; the CLI takes them as `--NAME-stdin`, a prompt, or FERRY_SECRET_<NAME>.
 * `text` is multi-line (a JSON key file's content); `secret: true` on it keeps it in the keychain too.
 */
export const OptionSpecSchema = z.object({
  name: z.string(),
  label: z.string(),
  kind: z.enum(OPTION_KINDS),
  help: z.string().optional(),
  required: z.boolean().optional(),
  default: z.union([z.string(), z.number(), z.boolean()]).optional(),
  choices: z.array(z.object({ value: z.string(), label: z.string() })).optional(),
  /** Stored in the keychain (kind 'secret' implies it). */
  secret: z.boolean().optional(),
  advanced: z.boolean().optional(),
  placeholder: z.string().optional(),
  /** Show (and validate) only when another option has one of these values. */
  showIf: z.object({ option: z.string(), in: z.array(z.union([z.string(), z.boolean()])) }).optional(),
  /** CLI flag name when it differs from the kebab-cased option name (e.g. keyFile → "key"). */
  cliFlag: z.string().optional(),
  /** When this option is given, these others default to these values (e.g. keyFile implies auth=key). */
  implies: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
});
export type OptionSpec = z.infer<typeof OptionSpecSchema>;

/** What the renderer and CLI know about a connector type (the manifest minus its code). */
export const ConnectorInfoSchema = z.object({
  type: z.enum(CONNECTOR_TYPES),
  label: z.string(),
  description: z.string(),
  options: z.array(OptionSpecSchema),
  capabilities: CapabilitiesSchema,
  /** A database: it holds tables (browsed as schema folders of tables), which are exported and loaded, not copied. */
  tables: z.boolean().optional(),
  /** Value-less CLI switches that set options (e.g. sftp's --agent sets auth=agent). */
  cliSwitches: z.array(z.object({ flag: z.string(), help: z.string(), sets: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])) })).optional(),
  /** Shown in docs: how this connector guarantees no partial file is visible under its final name. */
  atomicityNote: z.string(),
});
export type ConnectorInfo = z.infer<typeof ConnectorInfoSchema>;

export const ENTRY_TYPES = ['file', 'dir', 'symlink', 'other'] as const;

/** One listing entry. `modified` is ISO 8601 (UTC) at the connector's declared precision. */
export const EntrySchema = z.object({
  name: z.string(),
  path: z.string(),
  type: z.enum(ENTRY_TYPES),
  /** A database's table or view (listed as a 'file' under its schema): its kind and the database's row estimate (null when it has none). */
  table: z.object({ kind: z.enum(['table', 'view']), rowEstimate: z.number().nullable() }).optional(),
  size: z.number(),
  modified: z.string().nullable(),
  hashes: z.record(z.string(), z.string()).optional(),
  /**
   * A symbolic link, listed as what it points to (`type` is the target's; 'symlink' when dangling or looping).
   * Copies and syncs skip links unless asked to follow them.
   */
  link: z.boolean().optional(),
  /** A link's target, resolved to an absolute path on the same endpoint where the connector can (loop detection). */
  linkTarget: z.string().optional(),
  /**
   * The name's bytes, every byte outside printable ASCII as \xNN, when they are not valid UTF-8: `name` then
   * shows them with U+FFFD and cannot open the file, so transfers report it instead of dropping it.
   */
  invalidName: z.string().optional(),
});
export type Entry = z.infer<typeof EntrySchema>;

/** An endpoint is "local" (this computer) or a saved profile's id. */
export const EndpointSchema = z.string().min(1);
export type Endpoint = z.infer<typeof EndpointSchema>;
export { cliFlagOf, kebabOption, LOCAL_ENDPOINT, secretEnvName } from './endpoints';
