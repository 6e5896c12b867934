import type { Capabilities } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { ConnectContext, ConnectorManifest } from '../types';
import { createStorage } from './client';
import { GcsConnector } from './connector';
import { GCS_OPTIONS, resolveConfig } from './options';
import { GcsSession } from './session';

export { GcsConnector } from './connector';

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
  connect: (ctx: ConnectContext) => connectGcs(ctx),
};

export async function connectGcs(ctx: ConnectContext): Promise<GcsConnector> {
  const cfg = resolveConfig(ctx.profile.options);
  if (cfg.auth === 'none' && !cfg.projectId && !cfg.bucket) {
    // Without credentials there is no project to discover (the SDK would probe for seconds, then fail).
    throw new FerryError('INVALID_INPUT', 'Without credentials, set a Project ID (to list its buckets) or a bucket', {
      detail: { option: 'projectId' },
    });
  }
  const { storage, projectId } = await createStorage(cfg, ctx);
  const session = new GcsSession(storage, cfg, projectId, ctx.log);
  await checkAccess(session);
  return new GcsConnector(GCS_CAPABILITIES, session);
}

/**
 * One request so that refused credentials, a missing bucket or an unreachable endpoint fail at connect:
 * the first object of the fixed bucket, else the first bucket of the project. A 403 means the credentials
 * were accepted but may not list (many service accounts may only read and write objects): not a failure.
 */
async function checkAccess(s: GcsSession): Promise<void> {
  // maxRetries 0: the SDK retries requests that got no answer (refused, DNS) for ~15 s; at connect the
  // user waits for that answer, and the engine retries later transfers itself.
  try {
    if (s.cfg.bucket) {
      await s.storage.bucket(s.cfg.bucket).request({ uri: '/o', qs: { maxResults: 1 }, maxRetries: 0 });
    } else {
      await new Promise((resolve, reject) =>
        s.storage.request({ uri: '/b', qs: { project: s.storage.projectId, maxResults: 1 }, maxRetries: 0 }, (err, body) =>
          err ? reject(err) : resolve(body),
        ),
      );
    }
  } catch (e) {
    const err = s.fail(e, s.cfg.bucket ? `/ (bucket ${s.cfg.bucket})` : '/');
    if (err.code === 'PERMISSION_DENIED') {
      s.log.info('Google accepted the credentials, but listing is not allowed for them', { host: s.host });
      return;
    }
    throw err;
  }
}
