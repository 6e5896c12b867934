import type { Capabilities } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { ConnectContext } from '../types';
import { createStorage } from './client';
import { GcsConnector } from './connector';
import { resolveConfig } from './options';
import { GcsSession } from './session';

/** The GCS connect, loaded by index.ts only when a GCS profile connects (it pulls in @google-cloud/storage). */
export async function openGcs(ctx: ConnectContext, capabilities: Capabilities): Promise<GcsConnector> {
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
  return new GcsConnector(capabilities, session);
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
