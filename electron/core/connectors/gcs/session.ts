import type { Storage } from '@google-cloud/storage';
import type { FerryError } from '../../errors';
import type { Logger } from '../types';
import { gcsError } from './errors';
import { hostOf, type GcsConfig } from './options';

/** What every GCS operation needs: the SDK client, the profile's settings, and error mapping. */
export class GcsSession {
  readonly host: string;

  constructor(
    readonly storage: Storage,
    readonly cfg: GcsConfig,
    readonly projectId: string | undefined,
    readonly log: Logger,
  ) {
    this.host = hostOf(cfg);
  }

  fail(e: unknown, path?: string): FerryError {
    return gcsError(e, { path, host: this.host });
  }
}
