import { createHash, type Hash } from 'node:crypto';
import { crc32cBase64, crc32cUpdate } from './crc32c';
import { GcsHttpError } from './http';

/**
 * The emulator's in-memory model: buckets holding objects, each object's bytes kept as the list of chunks
 * it arrived in (no giant concatenation for large uploads), with the facts GCS reports about it.
 */

export interface StoredObject {
  bucket: string;
  name: string;
  chunks: Buffer[];
  size: number;
  md5: string;
  crc32c: string;
  generation: number;
  metageneration: number;
  timeCreated: string;
  updated: string;
  meta: WritableMeta;
}

/** The writable fields of an object resource (what uploads, patch and rewrite may set). */
export interface WritableMeta {
  contentType?: string;
  contentEncoding?: string;
  contentDisposition?: string;
  contentLanguage?: string;
  cacheControl?: string;
  metadata?: Record<string, string>;
}

const WRITABLE_FIELDS = ['contentType', 'contentEncoding', 'contentDisposition', 'contentLanguage', 'cacheControl'] as const;

export interface StoredBucket {
  name: string;
  timeCreated: string;
  updated: string;
  objects: Map<string, StoredObject>;
}

/** Accumulates an upload's bytes and hashes as they arrive. */
export class ByteSink {
  readonly chunks: Buffer[] = [];
  size = 0;
  private md5: Hash = createHash('md5');
  private crc = 0;
  private final?: { md5: string; crc32c: string };
  add(chunk: Buffer): void {
    if (chunk.length === 0) return;
    if (this.final) throw new Error('ByteSink: add after digests()');
    this.chunks.push(chunk);
    this.size += chunk.length;
    this.md5.update(chunk);
    this.crc = crc32cUpdate(this.crc, chunk);
  }
  /** base64 MD5 and CRC32C, as GCS reports them; no more bytes may be added after. */
  digests(): { md5: string; crc32c: string } {
    this.final ??= { md5: this.md5.digest('base64'), crc32c: crc32cBase64(this.crc) };
    return this.final;
  }
}

/** GCS generations are microsecond timestamps; kept strictly increasing here. */
let lastGeneration = 0;
function nextGeneration(): number {
  lastGeneration = Math.max(lastGeneration + 1, Date.now() * 1000);
  return lastGeneration;
}

export function pickWritable(src: Record<string, unknown> | undefined): WritableMeta {
  const out: WritableMeta = {};
  if (!src) return out;
  for (const f of WRITABLE_FIELDS) if (typeof src[f] === 'string') out[f] = src[f] as string;
  if (src.metadata && typeof src.metadata === 'object') {
    const m: Record<string, string> = {};
    for (const [k, v] of Object.entries(src.metadata as Record<string, unknown>)) if (v !== null && v !== undefined) m[k] = String(v);
    out.metadata = m;
  }
  return out;
}

export function hasWritable(src: Record<string, unknown> | undefined): boolean {
  return !!src && (WRITABLE_FIELDS.some((f) => f in src) || 'metadata' in src);
}

/** Preconditions GCS accepts as query parameters (`ifGenerationMatch=0`: the object must not exist). */
export interface Preconditions {
  ifGenerationMatch?: string | null;
  ifGenerationNotMatch?: string | null;
  ifMetagenerationMatch?: string | null;
  ifMetagenerationNotMatch?: string | null;
}

/** The four conditions from a query; with prefix 'ifSource' the rewrite's source ones (ifSourceGenerationMatch...). */
export function preconditionsOf(q: URLSearchParams, prefix = 'if'): Preconditions {
  const get = (n: string) => q.get(prefix + n.slice(2));
  return {
    ifGenerationMatch: get('ifGenerationMatch'),
    ifGenerationNotMatch: get('ifGenerationNotMatch'),
    ifMetagenerationMatch: get('ifMetagenerationMatch'),
    ifMetagenerationNotMatch: get('ifMetagenerationNotMatch'),
  };
}

const CONDITION_NOT_MET = () =>
  new GcsHttpError(412, 'conditionNotMet', 'At least one of the pre-conditions you specified did not hold.');

/** Throws 412 when a precondition fails for `current` (undefined: no live object of that name). */
export function checkPreconditions(current: StoredObject | undefined, p: Preconditions): void {
  const gen = current ? String(current.generation) : '0';
  if (p.ifGenerationMatch != null && p.ifGenerationMatch !== gen) throw CONDITION_NOT_MET();
  if (p.ifGenerationNotMatch != null && p.ifGenerationNotMatch === gen) throw CONDITION_NOT_MET();
  if (p.ifMetagenerationMatch != null || p.ifMetagenerationNotMatch != null) {
    if (!current) throw CONDITION_NOT_MET();
    const mg = String(current.metageneration);
    if (p.ifMetagenerationMatch != null && p.ifMetagenerationMatch !== mg) throw CONDITION_NOT_MET();
    if (p.ifMetagenerationNotMatch != null && p.ifMetagenerationNotMatch === mg) throw CONDITION_NOT_MET();
  }
}

/** GCS's documented rules for object names. */
export function checkObjectName(name: string | null | undefined): string {
  if (!name) throw new GcsHttpError(400, 'required', 'Required');
  const bytes = Buffer.byteLength(name, 'utf8');
  if (
    bytes > 1024 || /[\r\n]/.test(name) || name === '.' || name === '..' ||
    name.startsWith('.well-known/acme-challenge/') || name.includes('\uFFFD')
  ) {
    throw new GcsHttpError(400, 'invalid', 'The specified object name is not valid.');
  }
  return name;
}

/** GCS's rules for bucket names (the common subset: no dotted domain-named buckets). */
export function checkBucketName(name: unknown): string {
  if (typeof name !== 'string' || !/^[a-z0-9][a-z0-9._-]{1,61}[a-z0-9]$/.test(name) || name.startsWith('goog') || name.includes('..')) {
    throw new GcsHttpError(400, 'invalid', 'Invalid bucket name: ' + JSON.stringify(String(name)));
  }
  return name;
}

export class Store {
  readonly buckets = new Map<string, StoredBucket>();
  /**
   * Fault injection for tests (not part of GCS): "bucket/name" keys whose next upload is stored with its
   * first byte flipped, so the hashes the server reports differ from what the client sent, as they would
   * after corruption on the way. Set through POST /_emulator/corrupt-next-upload.
   */
  readonly corruptNext = new Set<string>();

  bucket(name: string): StoredBucket {
    const b = this.buckets.get(name);
    if (!b) throw new GcsHttpError(404, 'notFound', 'The specified bucket does not exist.');
    return b;
  }

  createBucket(name: unknown): StoredBucket {
    const n = checkBucketName(name);
    if (this.buckets.has(n)) {
      throw new GcsHttpError(409, 'conflict', 'Your previous request to create the named bucket succeeded and you already own it.');
    }
    const now = new Date().toISOString();
    const b: StoredBucket = { name: n, timeCreated: now, updated: now, objects: new Map() };
    this.buckets.set(n, b);
    return b;
  }

  deleteBucket(name: string): void {
    const b = this.bucket(name);
    if (b.objects.size > 0) throw new GcsHttpError(409, 'conflict', 'The bucket you tried to delete is not empty.');
    this.buckets.delete(name);
  }

  object(bucket: string, name: string): StoredObject {
    const o = this.bucket(bucket).objects.get(name);
    if (!o) throw new GcsHttpError(404, 'notFound', `No such object: ${bucket}/${name}`);
    return o;
  }

  /**
   * Commits a complete object under its name (the moment it becomes visible), checking preconditions
   * against whatever is live at that moment, as GCS does at the end of an upload.
   */
  commit(bucket: string, name: string, sink: ByteSink, meta: WritableMeta, p: Preconditions): StoredObject {
    const b = this.bucket(bucket);
    checkObjectName(name);
    checkPreconditions(b.objects.get(name), p);
    if (this.corruptNext.delete(`${bucket}/${name}`)) sink = corrupted(sink);
    const now = new Date().toISOString();
    const { md5, crc32c } = sink.digests();
    const o: StoredObject = {
      bucket,
      name,
      chunks: sink.chunks,
      size: sink.size,
      md5,
      crc32c,
      generation: nextGeneration(),
      metageneration: 1,
      timeCreated: now,
      updated: now,
      meta: { contentType: 'application/octet-stream', ...meta },
    };
    b.objects.set(name, o);
    return o;
  }

  /** Copies an object (rewrite/copyTo): same bytes, new generation, metadata from the source or `override`. */
  copy(src: StoredObject, bucket: string, name: string, override: Record<string, unknown> | undefined, p: Preconditions): StoredObject {
    const b = this.bucket(bucket);
    checkObjectName(name);
    checkPreconditions(b.objects.get(name), p);
    const now = new Date().toISOString();
    const meta: WritableMeta = hasWritable(override) ? { ...src.meta, ...pickWritable(override) } : { ...src.meta };
    const o: StoredObject = {
      ...src,
      bucket,
      name,
      generation: nextGeneration(),
      metageneration: 1,
      timeCreated: now,
      updated: now,
      meta,
    };
    b.objects.set(name, o);
    return o;
  }

  /** PATCH semantics: listed fields replace, `metadata` keys merge, a null value deletes a key. */
  patch(o: StoredObject, body: Record<string, unknown>, replace: boolean): StoredObject {
    const next: WritableMeta = replace ? {} : { ...o.meta, metadata: { ...(o.meta.metadata ?? {}) } };
    for (const f of WRITABLE_FIELDS) {
      if (!(f in body)) continue;
      if (body[f] === null) delete next[f];
      else next[f] = String(body[f]);
    }
    if ('metadata' in body) {
      if (body.metadata === null) delete next.metadata;
      else {
        const m = replace ? {} : { ...(next.metadata ?? {}) };
        for (const [k, v] of Object.entries(body.metadata as Record<string, unknown>)) {
          if (v === null) delete m[k];
          else m[k] = String(v);
        }
        next.metadata = m;
      }
    }
    o.meta = next;
    o.metageneration += 1;
    o.updated = new Date().toISOString();
    return o;
  }
}

function corrupted(sink: ByteSink): ByteSink {
  const out = new ByteSink();
  sink.chunks.forEach((c, i) => {
    const copy = Buffer.from(c);
    if (i === 0) copy[0] ^= 0xff;
    out.add(copy);
  });
  return out;
}

/** An object's bytes from `start` to `end` inclusive, as a generator of chunk slices. */
export function* sliceChunks(o: StoredObject, start: number, end: number): Generator<Buffer> {
  let pos = 0;
  for (const c of o.chunks) {
    const cEnd = pos + c.length;
    if (cEnd > start && pos <= end) yield c.subarray(Math.max(0, start - pos), Math.min(c.length, end - pos + 1));
    pos = cEnd;
    if (pos > end) break;
  }
}

/** The JSON API's object resource (numbers that can exceed 2^53 are strings, as Google sends them). */
export function objectResource(o: StoredObject, base: string): Record<string, unknown> {
  const enc = encodeURIComponent(o.name);
  const r: Record<string, unknown> = {
    kind: 'storage#object',
    id: `${o.bucket}/${o.name}/${o.generation}`,
    selfLink: `${base}/storage/v1/b/${o.bucket}/o/${enc}`,
    mediaLink: `${base}/download/storage/v1/b/${o.bucket}/o/${enc}?generation=${o.generation}&alt=media`,
    name: o.name,
    bucket: o.bucket,
    generation: String(o.generation),
    metageneration: String(o.metageneration),
    storageClass: 'STANDARD',
    size: String(o.size),
    md5Hash: o.md5,
    crc32c: o.crc32c,
    etag: etagOf(o),
    timeCreated: o.timeCreated,
    updated: o.updated,
    timeStorageClassUpdated: o.timeCreated,
  };
  for (const f of WRITABLE_FIELDS) if (o.meta[f] !== undefined) r[f] = o.meta[f];
  if (o.meta.metadata && Object.keys(o.meta.metadata).length > 0) r.metadata = o.meta.metadata;
  return r;
}

export function etagOf(o: StoredObject): string {
  return Buffer.from(`${o.generation}/${o.metageneration}`).toString('base64');
}

export function bucketResource(b: StoredBucket, base: string): Record<string, unknown> {
  return {
    kind: 'storage#bucket',
    id: b.name,
    selfLink: `${base}/storage/v1/b/${b.name}`,
    projectNumber: '0',
    name: b.name,
    timeCreated: b.timeCreated,
    updated: b.updated,
    metageneration: '1',
    location: 'US',
    locationType: 'multi-region',
    storageClass: 'STANDARD',
    etag: 'CAE=',
    iamConfiguration: { uniformBucketLevelAccess: { enabled: true }, bucketPolicyOnly: { enabled: true } },
  };
}
