import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { GcsHttpError, readJson, sendEmpty, sendJson } from './http';
import { checkPreconditions, etagOf, objectResource, preconditionsOf, sliceChunks, type Store, type StoredObject } from './store';

/** objects.get (metadata and alt=media), patch/update, delete, rewrite and copy. */

/** A live object, honouring `generation` (only the live generation is kept: older ones are 404). */
export function findObject(store: Store, bucket: string, name: string, q: URLSearchParams): StoredObject {
  const o = store.object(bucket, name);
  const gen = q.get('generation');
  if (gen !== null && gen !== String(o.generation)) throw new GcsHttpError(404, 'notFound', `No such object: ${bucket}/${name}`);
  return o;
}

/** On reads, *NotMatch conditions answer 304 Not Modified (as Google does); *Match ones 412. */
function checkReadPreconditions(o: StoredObject, q: URLSearchParams): boolean {
  const p = preconditionsOf(q);
  if (p.ifGenerationNotMatch != null && p.ifGenerationNotMatch === String(o.generation)) return false;
  if (p.ifMetagenerationNotMatch != null && p.ifMetagenerationNotMatch === String(o.metageneration)) return false;
  checkPreconditions(o, { ifGenerationMatch: p.ifGenerationMatch, ifMetagenerationMatch: p.ifMetagenerationMatch });
  return true;
}

export function getObject(store: Store, res: ServerResponse, base: string, bucket: string, name: string, q: URLSearchParams): void {
  const o = findObject(store, bucket, name, q);
  if (!checkReadPreconditions(o, q)) return sendEmpty(res, 304);
  sendJson(res, 200, objectResource(o, base));
}

/** Parses one "bytes=a-b" / "bytes=a-" / "bytes=-n" range; null when absent or not a single byte range. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'unsatisfiable' {
  const m = header?.trim().match(/^bytes=(\d*)-(\d*)$/);
  if (!m || (m[1] === '' && m[2] === '')) return null;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - n), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) return null; // syntactically invalid: ignored, whole object
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/** alt=media: the bytes, with the headers GCS sends (x-goog-hash, generation, stored encoding). */
export async function downloadObject(
  store: Store, req: IncomingMessage, res: ServerResponse, bucket: string, name: string, q: URLSearchParams,
): Promise<void> {
  const o = findObject(store, bucket, name, q);
  if (!checkReadPreconditions(o, q)) return sendEmpty(res, 304);
  const headers: Record<string, string> = {
    'Content-Type': o.meta.contentType ?? 'application/octet-stream',
    'Accept-Ranges': 'bytes',
    ETag: etagOf(o),
    'Last-Modified': new Date(o.updated).toUTCString(),
    'x-goog-generation': String(o.generation),
    'x-goog-metageneration': String(o.metageneration),
    'x-goog-hash': `crc32c=${o.crc32c},md5=${o.md5}`,
    'x-goog-stored-content-length': String(o.size),
    'x-goog-stored-content-encoding': o.meta.contentEncoding ?? 'identity',
    'x-goog-storage-class': 'STANDARD',
  };
  if (o.meta.metadata) for (const [k, v] of Object.entries(o.meta.metadata)) headers[`x-goog-meta-${k}`] = encodeURIComponent(v);
  const range = parseRange(req.headers.range, o.size);
  if (range === 'unsatisfiable') {
    res.writeHead(416, { 'Content-Range': `bytes */${o.size}`, 'Content-Type': 'text/html; charset=UTF-8' });
    res.end('The requested range cannot be satisfied.');
    return;
  }
  const { start, end } = range ?? { start: 0, end: o.size - 1 };
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${o.size}`;
  headers['Content-Length'] = String(Math.max(0, end - start + 1));
  res.writeHead(range ? 206 : 200, headers);
  if (req.method === 'HEAD' || o.size === 0) return void res.end();
  await pipeline(Readable.from(sliceChunks(o, start, end)), res).catch(() => res.destroy());
}

export async function patchObject(
  store: Store, req: IncomingMessage, res: ServerResponse, base: string, bucket: string, name: string, q: URLSearchParams,
): Promise<void> {
  const body = await readJson(req);
  const o = findObject(store, bucket, name, q);
  checkPreconditions(o, preconditionsOf(q));
  // PATCH merges; PUT (objects.update) replaces the writable metadata.
  sendJson(res, 200, objectResource(store.patch(o, body, req.method === 'PUT'), base));
}

export function deleteObject(store: Store, res: ServerResponse, bucket: string, name: string, q: URLSearchParams): void {
  const o = findObject(store, bucket, name, q);
  checkPreconditions(o, preconditionsOf(q));
  store.bucket(bucket).objects.delete(name);
  sendEmpty(res, 204);
}

/**
 * rewriteTo (what the Node SDK's file.copy uses) and copyTo (rclone's SetModTime copies an object onto
 * itself with new metadata). Everything happens in one call here, so a rewrite is always `done`.
 */
export async function copyObject(
  store: Store, req: IncomingMessage, res: ServerResponse, base: string,
  from: { bucket: string; name: string }, to: { bucket: string; name: string }, q: URLSearchParams, kind: 'rewrite' | 'copy',
): Promise<void> {
  const body = await readJson(req);
  const src = store.object(from.bucket, from.name);
  const srcGen = q.get('sourceGeneration');
  if (srcGen !== null && srcGen !== String(src.generation)) throw new GcsHttpError(404, 'notFound', `No such object: ${from.bucket}/${from.name}`);
  checkPreconditions(src, preconditionsOf(q, 'ifSource'));
  const dst = store.copy(src, to.bucket, to.name, body, preconditionsOf(q));
  const resource = objectResource(dst, base);
  if (kind === 'copy') return sendJson(res, 200, resource);
  sendJson(res, 200, {
    kind: 'storage#rewriteResponse',
    totalBytesRewritten: String(dst.size),
    objectSize: String(dst.size),
    done: true,
    resource,
  });
}
