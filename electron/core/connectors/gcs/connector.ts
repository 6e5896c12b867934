import type { Readable } from 'node:stream';
import type { Capabilities, Entry, HashType } from '../../../../shared/connectors';
import { basename, normalizePath } from '../../../../shared/paths';
import { FerryError } from '../../errors';
import type { Connector, ReadOptions, WriteOptions, WriteResult } from '../types';
import { makeFolder, removeFolder } from './folders';
import { folderExists, listBuckets, listFolder } from './list';
import { locate, type Location } from './location';
import { base64ToHex, dirEntry, fileEntry, mtimeMetadata } from './metadata';
import { copyFile, rename } from './moves';
import { downloadObject } from './read';
import type { GcsSession } from './session';
import { uploadObject } from './write';

/** Google Cloud Storage through @google-cloud/storage (the JSON API). See index.ts for the model. */
export class GcsConnector implements Connector {
  constructor(
    readonly capabilities: Capabilities,
    private s: GcsSession,
  ) {}

  async home(): Promise<string> {
    return '/';
  }

  private loc(path: string): Location {
    return locate(path, this.s.cfg.bucket);
  }

  /** A location that must name an object (not the bucket list, not a bucket's top). */
  private objectLoc(path: string): { bucket: string; key: string } {
    const loc = this.loc(path);
    if (loc.bucket === null || !loc.key) throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${normalizePath(path)}`, { detail: { path } });
    return { bucket: loc.bucket, key: loc.key };
  }

  async list(path: string, opts: { signal?: AbortSignal } = {}): Promise<Entry[]> {
    const p = normalizePath(path);
    const loc = this.loc(p);
    if (loc.bucket === null) return listBuckets(this.s, opts.signal);
    return listFolder(this.s, p, loc.bucket, loc.key, opts.signal);
  }

  async stat(path: string): Promise<Entry> {
    const p = normalizePath(path);
    const loc = this.loc(p);
    if (loc.bucket === null) return dirEntry('/', '');
    if (!loc.key) {
      if (this.s.cfg.bucket) return dirEntry('/', '');
      try {
        await this.s.storage.bucket(loc.bucket).getMetadata();
        return dirEntry(p, loc.bucket);
      } catch (e) {
        throw this.s.fail(e, p);
      }
    }
    try {
      const [md] = await this.s.storage.bucket(loc.bucket).file(loc.key).getMetadata();
      return fileEntry(p, basename(p), md);
    } catch (e) {
      const err = this.s.fail(e, p);
      if (err.code !== 'NOT_FOUND') throw err;
      if (await folderExists(this.s, loc.bucket, loc.key, p)) return dirEntry(p, basename(p));
      throw err;
    }
  }

  async read(path: string, opts?: ReadOptions): Promise<Readable> {
    const p = normalizePath(path);
    const { bucket, key } = this.objectLoc(p);
    return downloadObject(this.s, p, bucket, key, opts);
  }

  async write(path: string, source: Readable, opts?: WriteOptions): Promise<WriteResult> {
    const p = normalizePath(path);
    const { bucket, key } = this.objectLoc(p);
    return uploadObject(this.s, p, bucket, key, source, opts);
  }

  async mkdir(path: string): Promise<void> {
    const p = normalizePath(path);
    await makeFolder(this.s, p, this.loc(p));
  }

  async remove(path: string): Promise<void> {
    const p = normalizePath(path);
    const { bucket, key } = this.objectLoc(p);
    try {
      await this.s.storage.bucket(bucket).file(key).delete();
    } catch (e) {
      const err = this.s.fail(e, p);
      if (err.code === 'NOT_FOUND' && (await folderExists(this.s, bucket, key, p))) {
        throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${p}`, { detail: { path: p } });
      }
      throw err;
    }
  }

  async rmdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = normalizePath(path);
    await removeFolder(this.s, p, this.loc(p), opts.recursive ?? false);
  }

  /** objects.rewrite on the server (see moves.ts). */
  async copy(from: string, to: string): Promise<void> {
    const [f, t] = [normalizePath(from), normalizePath(to)];
    await copyFile(this.s, f, this.objectLoc(f), t, this.objectLoc(t));
  }

  /** Copy then delete: GCS has no rename (see moves.ts). */
  async rename(from: string, to: string): Promise<void> {
    const [f, t] = [normalizePath(from), normalizePath(to)];
    await rename(this.s, f, this.loc(f), t, this.loc(t));
  }

  /** A metadata patch: the object's bytes and GCS's own `updated` stay as they are. */
  async setModTime(path: string, modified: Date): Promise<void> {
    const p = normalizePath(path);
    const { bucket, key } = this.objectLoc(p);
    try {
      await this.s.storage.bucket(bucket).file(key).setMetadata({ metadata: mtimeMetadata(modified) });
    } catch (e) {
      throw this.s.fail(e, p);
    }
  }

  async hash(path: string, type: HashType): Promise<string | null> {
    if (type !== 'md5' && type !== 'crc32c') return null;
    const p = normalizePath(path);
    const { bucket, key } = this.objectLoc(p);
    try {
      const [md] = await this.s.storage.bucket(bucket).file(key).getMetadata();
      return base64ToHex(type === 'md5' ? md.md5Hash : md.crc32c) ?? null;
    } catch (e) {
      throw this.s.fail(e, p);
    }
  }

  /** The SDK holds no connection of its own to release (sockets idle out of its keep-alive agent). */
  async close(): Promise<void> {}
}
