import { PassThrough, Readable } from 'node:stream';
import { DeleteObjectCommand, HeadBucketCommand, ListBucketsCommand } from '@aws-sdk/client-s3';
import type { Capabilities, Entry, HashType } from '../../../../shared/connectors';
import { FerryError } from '../../errors';
import type { Connector, ReadOptions, WriteOptions, WriteResult } from '../types';
import { mkdir, rmdir } from './folders';
import { listPages } from './list';
import { copyFile, rename, setModTime } from './moves';
import { cleanEtag, isPlainMd5 } from './checksums';
import { agentsOf } from './client';
import { ObjectGetter } from './get';
import { folderPrefix, pathOf } from './paths';
import { PRESETS } from './providers';
import { bodyStart, rangeHeader, sliceStream } from './range';
import { S3Session, dirEntry, fileEntry, md5Of } from './session';
import { writeObject } from './write';

/** One S3 connection: an SDK client (which pools its own HTTP connections) and the profile's options. */
export class S3Connector implements Connector {
  private closed = false;
  private getter: ObjectGetter | undefined;

  constructor(
    readonly capabilities: Capabilities,
    private readonly s: S3Session,
  ) {}

  async home(): Promise<string> {
    return '/';
  }

  async list(path: string, opts: { signal?: AbortSignal } = {}): Promise<Entry[]> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket) return this.listBuckets(opts.signal);
    const prefix = folderPrefix(key);
    const entries: Entry[] = [];
    let sawMarker = false;
    const listedMd5 = PRESETS[s.cfg.provider].listingEtagIsMd5;
    try {
      const pages = listPages(s.client, { bucket, prefix, delimiter: '/', pageSize: s.cfg.listPageSize, version: s.cfg.listVersion, signal: opts.signal });
      for await (const page of pages) {
        for (const o of page.objects) {
          if (o.key === prefix) {
            sawMarker = true;
            continue;
          }
          const name = o.key.slice(prefix.length);
          if (!usableName(name)) continue;
          const p = pathOf(bucket, o.key, s.cfg.bucket);
          const md5 = listedMd5 ? cleanEtag(o.etag) : undefined;
          entries.push({
            name,
            path: p,
            type: 'file',
            size: o.size,
            modified: o.lastModified ? o.lastModified.toISOString() : null,
            ...(md5 && isPlainMd5(md5) ? { hashes: { md5 } } : {}),
          });
        }
        for (const folder of page.prefixes) {
          const name = folder.slice(prefix.length, -1);
          if (!usableName(name)) continue;
          entries.push(dirEntry(pathOf(bucket, folder, s.cfg.bucket)));
        }
      }
    } catch (e) {
      throw s.fail(e, path);
    }
    if (entries.length === 0 && !sawMarker && key !== '') {
      if (await s.head(bucket, key, path)) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${path}`, { detail: { path } });
      throw new FerryError('NOT_FOUND', `Not found: ${path}`, { detail: { path } });
    }
    return entries;
  }

  private async listBuckets(signal?: AbortSignal): Promise<Entry[]> {
    try {
      const r = await this.s.client.send(new ListBucketsCommand({}), { abortSignal: signal });
      return (r.Buckets ?? []).filter((b) => b.Name).map((b) => dirEntry(`/${b.Name}`, b.CreationDate ?? null));
    } catch (e) {
      throw this.s.fail(e, '/');
    }
  }

  async stat(path: string): Promise<Entry> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket) return dirEntry('/');
    if (key === '') {
      if (s.cfg.bucket) return dirEntry('/');
      try {
        await s.client.send(new HeadBucketCommand({ Bucket: bucket }));
      } catch (e) {
        throw s.fail(e, path);
      }
      return dirEntry(path);
    }
    const h = await s.head(bucket, key, path);
    if (h) return fileEntry(path, h);
    if (await s.folderExists(bucket, key, path)) return dirEntry(path);
    throw new FerryError('NOT_FOUND', `Not found: ${path}`, { detail: { path } });
  }

  async read(path: string, opts: ReadOptions = {}): Promise<Readable> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket || key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    const start = opts.start ?? 0;
    if (opts.end !== undefined && opts.end <= start) {
      // An empty range: S3 has no way to ask for zero bytes, so only check that the file is there.
      if (!(await s.head(bucket, key, path))) throw await s.missingFile(bucket, key, path);
      return Readable.from([]);
    }
    const end = opts.end;
    let body: Readable;
    let from: number;
    try {
      // A plain signed GET (get.ts): the SDK's GetObjectCommand costs milliseconds of CPU per object.
      this.getter ??= new ObjectGetter(s.client, s.cfg, agentsOf(s.client));
      const r = await this.getter.get(bucket, key, rangeHeader(start, end), opts.signal);
      body = r.body;
      from = bodyStart(r.contentRange);
    } catch (e) {
      const name = (e as { name?: string }).name;
      if (name === 'NoSuchKey') throw await s.missingFile(bucket, key, path);
      // A range that starts at or after the end: nothing to read.
      if (name === 'InvalidRange' || (e as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 416) return Readable.from([]);
      throw s.fail(e, path);
    }
    if (from > start) {
      body.destroy();
      throw new FerryError('INTERNAL', `The S3 server sent bytes from ${from}, not ${start}: ${path}`, { detail: { path } });
    }
    // The body is the raw HTTP response: a dropped connection must surface as a FerryError too.
    const out = from < start || end !== undefined ? sliceStream(start - from, end !== undefined ? end - start : Infinity) : new PassThrough();
    // Not pipeline(): it would destroy `out` with the raw socket error before a mapped one could be set.
    body.on('error', (err) => out.destroy(opts.signal?.aborted ? new FerryError('CANCELLED', 'Cancelled') : s.fail(err, path)));
    // A reader that stops early releases the response (its socket cannot be reused mid-body).
    out.on('close', () => body.destroy());
    body.pipe(out);
    return out;
  }

  async write(path: string, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket || key === '') {
      source.destroy();
      throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    }
    if (opts.offset) {
      source.destroy();
      throw new FerryError('INVALID_INPUT', 'S3 objects cannot be appended to (resumableWrite is not declared)', { detail: { path } });
    }
    try {
      return await writeObject({ client: s.client, bucket, key, path, partSize: s.cfg.partSize, concurrency: s.cfg.uploadConcurrency, log: s.log }, source, opts);
    } catch (e) {
      throw s.fail(e, path);
    }
  }

  mkdir(path: string): Promise<void> {
    return mkdir(this.s, path);
  }

  async remove(path: string): Promise<void> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket || key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    // DeleteObject succeeds on a missing key, so ask first: the contract wants NOT_FOUND / IS_A_DIRECTORY.
    if (!(await s.head(bucket, key, path))) throw await s.missingFile(bucket, key, path);
    try {
      await s.client.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
    } catch (e) {
      throw s.fail(e, path);
    }
  }

  rmdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    return rmdir(this.s, path, opts.recursive ?? false);
  }

  rename(from: string, to: string): Promise<void> {
    return rename(this.s, from, to);
  }

  copy(from: string, to: string): Promise<void> {
    return copyFile(this.s, from, to);
  }

  setModTime(path: string, modified: Date): Promise<void> {
    return setModTime(this.s, path, modified);
  }

  /** The MD5 S3 vouches for, or null for multipart and KMS/SSE-C objects (their ETag is not an MD5). */
  async hash(path: string, type: HashType): Promise<string | null> {
    const s = this.s;
    const { bucket, key } = s.locate(path);
    if (!bucket || key === '') throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${path}`, { detail: { path } });
    const h = await s.head(bucket, key, path);
    if (!h) throw await s.missingFile(bucket, key, path);
    return type === 'md5' ? md5Of(h) : null;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.s.client.destroy();
  }
}

/** Names a key can have that no path can: "" (from "a//b"), "." and "..". Such keys are left out of listings. */
function usableName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..';
}
