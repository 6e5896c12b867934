import type { BlobClient, BlockBlobClient, ContainerClient } from '@azure/storage-blob';
import type { Entry } from '../../../../shared/connectors';
import { basename } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import type { Logger } from '../types';
import type { AzureClients } from './client';
import { mapAzureError } from './errors';
import { locate, type Location } from './location';

/** One connection's clients plus the helpers every operation file shares. */
export class AzureSession {
  constructor(
    readonly clients: AzureClients,
    readonly log: Logger,
    /** Entries per listing request: Azure's maximum, 5000, except in tests that need several pages. */
    readonly listPageSize = 5000,
  ) {}

  get fixedContainer(): string | null {
    return this.clients.fixedContainer?.containerName ?? null;
  }

  locate(path: string): Location {
    return locate(path, this.fixedContainer);
  }

  container(loc: Location): ContainerClient {
    if (loc.container === null) throw new FerryError('INTERNAL', 'no container at the top level');
    return this.clients.fixedContainer ?? this.clients.service.getContainerClient(loc.container);
  }

  blob(loc: Location, key = loc.key): BlobClient {
    return this.container(loc).getBlobClient(key);
  }

  blockBlob(loc: Location, key = loc.key): BlockBlobClient {
    return this.container(loc).getBlockBlobClient(key);
  }

  /** Any SDK error as a FerryError about `path`, scrubbed of secrets. */
  fail(e: unknown, path?: string): FerryError {
    const mapped = mapAzureError(e, { ...(path !== undefined ? { path } : {}), host: this.clients.host }, this.clients.scrubber);
    if (mapped.code === 'INTERNAL') this.log.warn('azure: unmapped error', { path, detail: mapped.detail, message: mapped.message });
    return mapped;
  }

  /** Runs one SDK call, turning its errors into FerryErrors about `path`. */
  async call<T>(path: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      throw this.fail(e, path);
    }
  }
}

/** A folder entry (a container, a prefix or a marker). */
export function dirEntry(path: string, modified: Date | undefined = undefined): Entry {
  return { name: basename(path), path, type: 'dir', size: 0, modified: modified ? modified.toISOString() : null };
}

export interface BlobFacts {
  contentLength?: number;
  lastModified?: Date;
  contentMD5?: Uint8Array;
  metadata?: Record<string, string>;
}

/** A file entry from a listing item's or a HEAD's properties. */
export function fileEntry(path: string, facts: BlobFacts): Entry {
  const md5 = md5Hex(facts.contentMD5);
  return {
    name: basename(path),
    path,
    type: 'file',
    size: facts.contentLength ?? 0,
    modified: modifiedOf(facts),
    ...(md5 ? { hashes: { md5 } } : {}),
  };
}

/** Metadata key holding the source's modification time (Last-Modified is the upload time). */
export const MTIME_KEY = 'mtime';

/** The source mtime Ferry stored, else the blob's Last-Modified (whole seconds). */
export function modifiedOf(facts: BlobFacts): string | null {
  const stored = facts.metadata?.[MTIME_KEY];
  if (stored) {
    const t = Date.parse(stored);
    if (!Number.isNaN(t)) return new Date(t).toISOString();
  }
  return facts.lastModified ? facts.lastModified.toISOString() : null;
}

export function md5Hex(md5: Uint8Array | undefined): string | undefined {
  return md5 && md5.length === 16 ? Buffer.from(md5).toString('hex') : undefined;
}
