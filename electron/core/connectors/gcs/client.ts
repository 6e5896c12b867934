import { Storage, type StorageOptions } from '@google-cloud/storage';
import { PassThroughClient } from 'google-auth-library';
import { FerryError } from '../../errors';
import type { ConnectContext } from '../types';
import type { GcsConfig } from './options';

/**
 * Builds the SDK client for a profile. The service account key is the JSON key's content, read from the
 * keychain (ctx.secret) and handed to the SDK in memory: it is never written to disk nor logged.
 *
 * The SDK skips authentication entirely for an `apiEndpoint` outside googleapis.com unless
 * `useAuthWithCustomEndpoint` is set, so with credentials and a custom endpoint (a private endpoint) Ferry
 * sets it; with auth "none" Ferry passes a PassThroughClient, which adds no Authorization header and never
 * looks for credentials (no metadata-server probe), for public buckets and emulators.
 */
export async function createStorage(cfg: GcsConfig, ctx: ConnectContext): Promise<{ storage: Storage; projectId?: string }> {
  const common: StorageOptions = {
    ...(cfg.apiEndpoint ? { apiEndpoint: cfg.apiEndpoint } : {}),
    // Transient failures are retried a few times by the SDK; the engine retries whole files after that.
    retryOptions: { autoRetry: true, maxRetries: 3, totalTimeout: 120, maxRetryDelay: 16 },
  };
  if (process.env.STORAGE_EMULATOR_HOST) {
    ctx.log.warn('STORAGE_EMULATOR_HOST is set: the Google Cloud Storage SDK sends every request there', {
      profile: ctx.profile.name,
    });
  }
  switch (cfg.auth) {
    case 'none':
      return { storage: new Storage({ ...common, projectId: cfg.projectId, authClient: new PassThroughClient() }), projectId: cfg.projectId };
    case 'application-default':
      return {
        storage: new Storage({ ...common, projectId: cfg.projectId, useAuthWithCustomEndpoint: !!cfg.apiEndpoint }),
        projectId: cfg.projectId,
      };
    case 'service-account-key': {
      const key = parseKey(await ctx.secret('serviceAccountKey'), ctx.profile.id);
      const projectId = cfg.projectId ?? key.project_id;
      const storage = new Storage({
        ...common,
        projectId,
        credentials: { client_email: key.client_email, private_key: key.private_key },
        useAuthWithCustomEndpoint: !!cfg.apiEndpoint,
      });
      return { storage, projectId };
    }
  }
}

interface ServiceAccountKey {
  type: string;
  project_id?: string;
  client_email: string;
  private_key: string;
}

/** Checks the pasted key's shape; messages name what is wrong, never quote the content. */
function parseKey(raw: string | undefined, profileId: string): ServiceAccountKey {
  if (!raw || !raw.trim()) {
    throw new FerryError('SECRET_REQUIRED', 'The service account key (JSON) is not set for this profile', {
      detail: { profileId, name: 'serviceAccountKey' },
    });
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new FerryError('INVALID_INPUT', 'The service account key is not valid JSON: paste the whole content of the key file', {
      detail: { option: 'serviceAccountKey' },
    });
  }
  const k = parsed as Partial<ServiceAccountKey>;
  if (!k || typeof k !== 'object' || k.type !== 'service_account' || typeof k.client_email !== 'string' || typeof k.private_key !== 'string') {
    throw new FerryError(
      'INVALID_INPUT',
      'The key is not a service account key: it needs "type": "service_account", "client_email" and "private_key"',
      { detail: { option: 'serviceAccountKey' } },
    );
  }
  return k as ServiceAccountKey;
}
