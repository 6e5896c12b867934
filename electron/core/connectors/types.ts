import type { Duplex, Readable } from 'node:stream';
import type { Capabilities, ConnectorInfo, Entry, HashType } from '../../../shared/connectors';
import type { OptionValues } from '../../../shared/profiles';
import type { TableStore } from '../databases/types';
import type { TrustStore } from '../trust/trust-store';

/**
 * The connector contract. A small required core every connector implements, plus optional operations that
 * exist exactly when `capabilities` declares them (checked by the conformance suite). Paths are absolute,
 * '/'-separated, normalized (see shared/paths.ts); for bucket-based connectors "/bucket/key".
 *
 * Every method throws FerryError only, with the code its doc names for the common failures.
 */
export interface Connector {
  readonly capabilities: Capabilities;

  /** The folder a browser opens first (the user's home on SFTP, "/" on object stores). */
  home(): Promise<string>;

  /** Entries of a folder, all pages. NOT_FOUND if it does not exist, NOT_A_DIRECTORY if it is a file. */
  list(path: string, opts?: { signal?: AbortSignal }): Promise<Entry[]>;

  /** One entry. NOT_FOUND when absent. Folders on object stores exist if a marker or any key under them does. */
  stat(path: string): Promise<Entry>;

  /**
   * A stream of the file's bytes, from `start` (inclusive) to `end` (exclusive) when given and
   * capabilities.rangedRead; NOT_FOUND, IS_A_DIRECTORY.
   */
  read(path: string, opts?: ReadOptions): Promise<Readable>;

  /**
   * Writes `source` to `path`, replacing what is there. The parent folder must exist (NOT_FOUND otherwise;
   * object stores have no such condition). With `offset` (only when capabilities.resumableWrite) the bytes
   * are written from that offset of an existing file, keeping what is before it.
   * Returns the size written and any hashes the destination reported for the result.
   */
  write(path: string, source: Readable, opts?: WriteOptions): Promise<WriteResult>;

  /** Creates the folder and any missing parents; fine if it exists as a folder; ALREADY_EXISTS if a file. */
  mkdir(path: string): Promise<void>;

  /** Deletes one file. NOT_FOUND, IS_A_DIRECTORY. */
  remove(path: string): Promise<void>;

  /** Deletes a folder: NOT_EMPTY unless `recursive`. NOT_FOUND. */
  rmdir(path: string, opts?: { recursive?: boolean }): Promise<void>;

  /** Present iff capabilities.rename. Moves a file or folder, replacing a destination file. NOT_FOUND. */
  rename?(from: string, to: string): Promise<void>;

  /** Present iff capabilities.serverSideCopy. Copies a file on the server. NOT_FOUND. */
  copy?(from: string, to: string): Promise<void>;

  /** Present iff capabilities.modTime.settable. */
  setModTime?(path: string, modified: Date): Promise<void>;

  /** Present iff capabilities.hashes is non-empty: the hash the server reports, or null when it has none for this file. */
  hash?(path: string, type: HashType): Promise<string | null>;

  /** Releases connections. Safe to call twice. */
  close(): Promise<void>;

  /** Present iff the manifest says `tables: true` (a database): rows in and out (databases/types.ts). */
  readonly tables?: TableStore;
}

export interface ReadOptions {
  start?: number;
  /** Exclusive. */
  end?: number;
  signal?: AbortSignal;
}

export interface WriteOptions {
  /** Total size when known (lets object stores choose single vs multipart, and the engine verify). */
  size?: number;
  /** Resume: write from this offset of the existing file. Only with capabilities.resumableWrite. */
  offset?: number;
  /** Set as the file's modification time where capabilities.modTime.settable. */
  modified?: Date;
  signal?: AbortSignal;
}

export interface WriteResult {
  size: number;
  /**
   * The size the server reported for the stored file at the end of the write (an fstat on the open handle,
   * sent with the close): the engine's size check then needs no stat round trip of its own.
   */
  storedSize?: number;
  /** Hashes the destination reported for what it stored (e.g. an S3 single-part ETag as md5, GCS md5/crc32c). */
  hashes?: Partial<Record<HashType, string>>;
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface ConnectContext {
  profile: { id: string; name: string; options: OptionValues };
  /**
   * The value of a secret option: from the keychain, this session's memory, or a prompt (CLI).
   * Resolves undefined when none is set; a connector that needs it throws SECRET_REQUIRED
   * with detail { profileId, name }.
   */
  secret(name: string, opts?: { prompt?: boolean }): Promise<string | undefined>;
  trust: TrustStore;
  /**
   * An SSH tunnel through the SFTP profile `profile` (name or id), with that profile's host key trust and
   * credentials: a network database's connection goes through it (its `sshTunnel` option). One SSH
   * connection per SFTP profile is shared by every connection through it; release each lease when done.
   */
  sshTunnel?(profile: string, signal?: AbortSignal): Promise<SshTunnel>;
  /** A fingerprint the user accepted up front (CLI --trust-host-key): pin an unknown key that matches it. */
  acceptFingerprint?: string;
  signal?: AbortSignal;
  log: Logger;
  /**
   * How many server connections this one connector may hold. The endpoint pool bounds connections by lending
   * connectors, so it gives each pooled connector 1; a connector with its own internal pool (FTP) must not
   * multiply that bound. Undefined: the profile's maxConnections.
   */
  connectionBudget?: number;
}

/** A lease on an SSH connection that forwards TCP connections (ssh -W): host and port as the SSH server sees them. */
export interface SshTunnel {
  /** A direct-tcpip channel to host:port, as a socket-like stream. CONNECTION_REFUSED etc. in the SSH server's words. */
  forward(host: string, port: number): Promise<Duplex>;
  /** Gives the lease back; the SSH connection closes when no lease holds it. */
  release(): void;
}

/** One per connector type: its declared facts and options plus the constructor. Registered in manifest.ts. */
export interface ConnectorManifest extends ConnectorInfo {
  connect(ctx: ConnectContext): Promise<Connector>;
  /**
   * Rewrites a profile form before it is checked and stored: PostgreSQL turns a connection URL into its
   * options, and the URL's password into a secret, so the URL never reaches the store.
   */
  expandInput?(options: OptionValues, secrets: Record<string, string | null>): { options: OptionValues; secrets: Record<string, string | null> };
}
