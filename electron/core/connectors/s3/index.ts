import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';
import { S3_OPTIONS } from './options';

// What the app needs without connecting (forms, CLI flags, docs, capabilities). Nothing here may import the
// AWS SDK, even transitively: it loads with every command; connect() loads ./open and the SDK on first use.

export const S3_CAPABILITIES: Capabilities = {
  rangedRead: true,
  serverSideCopy: true,
  // Copy + delete (a folder: every key under it). Not atomic; see moves.ts.
  rename: true,
  atomicRename: false,
  atomicWrite: true,
  resumableWrite: false,
  multipartWrite: true,
  hashes: ['md5'],
  // Kept in X-Amz-Meta-Mtime (rclone's format, ms precision here); set on write and by a copy onto itself.
  modTime: { settable: true, precisionMs: 1 },
  emptyDirs: false,
  bucketBased: true,
  caseInsensitive: false,
  purge: true,
  maxConnections: 16,
  // Ranged GETs on several connections, as rclone's multi-thread download.
  parallelReads: true,
  sharedReads: true,
};

export const s3Manifest: ConnectorManifest = {
  type: 's3',
  label: 'Amazon S3 and compatible',
  description: 'AWS S3, MinIO, Wasabi, Cloudflare R2, Ceph, Backblaze B2 and other S3-compatible storage.',
  options: S3_OPTIONS,
  capabilities: S3_CAPABILITIES,
  atomicityNote:
    'An S3 object appears under its name only when its upload completes: a single PUT (with Content-MD5) or a ' +
    'multipart upload that is completed last. A failed or cancelled upload is aborted and leaves nothing visible, ' +
    'so no temporary name is needed. After each upload Ferry compares the ETag the server reports with the MD5 ' +
    '(or multipart ETag) of the bytes it sent, and deletes the object on a mismatch.',
  async connect(ctx: ConnectContext) {
    const { openS3 } = await import('./open');
    return openS3(ctx, S3_CAPABILITIES);
  },
};
