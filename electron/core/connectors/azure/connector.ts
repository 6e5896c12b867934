import type { Readable } from 'node:stream';
import type { Capabilities, Entry, HashType } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { Connector, ReadOptions, WriteOptions, WriteResult } from '../types';
import { copyFile, renamePath } from './copy';
import { makeFolder, removeFile, removeFolder } from './folders';
import { listFolder, statPath } from './list';
import { blobHash, readBlob, requireFile } from './read';
import { MTIME_KEY, type AzureSession } from './session';
import { writeBlob } from './write';

/**
 * One Azure Blob connection. The SDK holds no session (each call is an HTTPS request on a kept-alive
 * socket), so a "connection" is the configured clients; close() only stops further use.
 */
export class AzureConnector implements Connector {
  private closed = false;

  constructor(
    private readonly s: AzureSession,
    readonly capabilities: Capabilities,
  ) {}

  async home(): Promise<string> {
    return '/';
  }

  list(path: string, opts?: { signal?: AbortSignal }): Promise<Entry[]> {
    return this.open(() => listFolder(this.s, path, opts?.signal));
  }

  stat(path: string): Promise<Entry> {
    return this.open(() => statPath(this.s, path));
  }

  read(path: string, opts?: ReadOptions): Promise<Readable> {
    return this.open(() => readBlob(this.s, path, opts));
  }

  write(path: string, source: Readable, opts?: WriteOptions): Promise<WriteResult> {
    return this.open(() => writeBlob(this.s, path, source, opts));
  }

  mkdir(path: string): Promise<void> {
    return this.open(() => makeFolder(this.s, path));
  }

  remove(path: string): Promise<void> {
    return this.open(() => removeFile(this.s, path));
  }

  rmdir(path: string, opts?: { recursive?: boolean }): Promise<void> {
    return this.open(() => removeFolder(this.s, path, opts?.recursive ?? false));
  }

  rename(from: string, to: string): Promise<void> {
    return this.open(() => renamePath(this.s, from, to));
  }

  copy(from: string, to: string): Promise<void> {
    return this.open(() => copyFile(this.s, from, to));
  }

  /** Stores the time as the blob's `mtime` metadata (Last-Modified itself cannot be set). */
  setModTime(path: string, modified: Date): Promise<void> {
    return this.open(async () => {
      const loc = this.s.locate(path);
      const props = await requireFile(this.s, loc);
      const metadata = { ...(props.metadata ?? {}), [MTIME_KEY]: modified.toISOString() };
      // The ETag condition keeps a concurrent rewrite's metadata from being clobbered by stale values.
      await this.s.call(loc.path, () => this.s.blob(loc).setMetadata(metadata, { conditions: { ifMatch: props.etag } }));
    });
  }

  hash(path: string, type: HashType): Promise<string | null> {
    return this.open(() => blobHash(this.s, path, type));
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  private async open<T>(fn: () => Promise<T>): Promise<T> {
    if (this.closed) throw new FerryError('CONNECTION_LOST', 'This Azure connection was closed');
    return fn();
  }
}
