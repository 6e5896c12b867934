import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';
import { GCS_OPTIONS } from './options';

// What the app needs without connecting (forms, CLI flags, docs, capabilities). Nothing here may import
// @google-cloud/storage, even transitively: it loads with every command; connect() loads ./open on first use.

export type { GcsConnector } from './connector';

/**
 * Google Cloud Storage. Buckets are the top-level folders (unless the profile names one bucket); below
 * them a folder is a prefix, browsed one level at a time with delimiter "/"; mkdir leaves a zero-byte
 * "dir/" marker so an empty folder stays visible.
 */
export const GCS_CAPABILITIES: Capabilities = {
  rangedRead: true,
  // objects.rewrite: server-side, metadata included.
  serverSideCopy: true,
  // GCS has no rename: copy + delete on the server (a folder: every object under it). Not atomic.
  rename: true,
  atomicRename: false,
  atomicWrite: true,
  // A resumable session resumes a cut-off upload, but never appends to an existing object.
  resumableWrite: false,
  // Resumable chunks go one after another, not in parallel.
  multipartWrite: false,
  hashes: ['md5', 'crc32c'],
  // Kept in custom metadata `mtime` (RFC 3339 with ms) and `goog-reserved-file-mtime`; settable by a metadata patch.
  modTime: { settable: true, precisionMs: 1 },
  emptyDirs: false,
  bucketBased: true,
  caseInsensitive: false,
  // One flat listing of the prefix, then 16 deletes at a time; a bucket is deleted after its objects.
  purge: true,
  maxConnections: 16,
  // Ranged GETs on several connections.
  parallelReads: true,
  sharedReads: true,
};

export const gcsManifest: ConnectorManifest = {
  type: 'gcs',
  label: 'Google Cloud Storage',
  description: 'Buckets and objects in Google Cloud Storage. Buckets are the top-level folders.',
  options: GCS_OPTIONS,
  capabilities: GCS_CAPABILITIES,
  atomicityNote:
    'An object appears under its name only when its upload completes: one multipart request for small files, ' +
    'or the last chunk of a resumable upload session. A failed or cancelled upload leaves nothing visible and the ' +
    'previous version untouched (an unfinished session expires after a week). Ferry then compares the MD5 GCS ' +
    'reports for the stored object with the MD5 of the bytes it sent, and deletes the object on a mismatch.',
  async connect(ctx: ConnectContext) {
    const { openGcs } = await import('./open');
    return openGcs(ctx, GCS_CAPABILITIES);
  },
};
