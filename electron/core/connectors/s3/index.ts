import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';
import { credentialsFor, makeClient } from './client';
import { S3Connector } from './connector';
import { listPages } from './list';
import { S3_OPTIONS, resolveConfig, type S3Config } from './options';
import { S3Session } from './session';

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
    const cfg = resolveConfig(ctx.profile.options);
    const { credentials, secrets } = await credentialsFor(cfg, ctx.secret, ctx.profile.id);
    const client = makeClient(cfg, credentials);
    const session = new S3Session(client, cfg, hostOf(cfg), secrets, ctx.log);
    try {
      await checkAccess(session, ctx.signal);
    } catch (e) {
      client.destroy();
      throw e;
    }
    return new S3Connector(S3_CAPABILITIES, session);
  },
};

/**
 * One request so that wrong keys, an unknown bucket or an unreachable endpoint fail at connect, not at the
 * first click. An AccessDenied answer means the keys were accepted (S3 checks the signature first): many
 * users may read one bucket but not list all buckets, so that is not a failure here.
 */
async function checkAccess(s: S3Session, signal?: AbortSignal): Promise<void> {
  try {
    if (s.cfg.bucket) {
      for await (const page of listPages(s.client, { bucket: s.cfg.bucket, prefix: '', pageSize: 1, version: s.cfg.listVersion, signal })) {
        void page;
        break;
      }
    } else {
      await s.client.send(new ListBucketsCommand({ MaxBuckets: 1 }), { abortSignal: signal });
    }
  } catch (e) {
    const err = s.fail(e, s.cfg.bucket ? `/${s.cfg.bucket}` : undefined);
    if (err.code === 'PERMISSION_DENIED') {
      s.log.info('S3 keys accepted, but listing is not allowed for them', { host: s.host });
      return;
    }
    throw err;
  }
}

function hostOf(cfg: S3Config): string {
  if (cfg.endpoint) return new URL(cfg.endpoint).host;
  return `s3.${cfg.region ?? 'us-east-1'}.amazonaws.com`;
}
