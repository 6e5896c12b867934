import { ListBucketsCommand } from '@aws-sdk/client-s3';
import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext } from '../types';
import { credentialsFor, makeClient } from './client';
import { S3Connector } from './connector';
import { listPages } from './list';
import { resolveConfig, type S3Config } from './options';
import { S3Session } from './session';

/**
 * The S3 connect, loaded by index.ts only when an S3 profile connects: the AWS SDK it pulls in costs
 * about half a second and tens of MB at start-up, which every other command would pay otherwise.
 */
export async function openS3(ctx: ConnectContext, capabilities: Capabilities): Promise<S3Connector> {
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
  return new S3Connector(capabilities, session);
}

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
