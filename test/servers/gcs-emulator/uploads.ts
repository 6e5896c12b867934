import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { GcsHttpError, readChunks, readJson, sendEmpty, sendJson } from './http';
import {
  ByteSink, checkObjectName, checkPreconditions, objectResource, pickWritable, preconditionsOf,
  type Preconditions, type Store, type StoredObject, type WritableMeta,
} from './store';

/**
 * The three upload protocols of POST /upload/storage/v1/b/{bucket}/o:
 * - uploadType=media: the body is the object;
 * - uploadType=multipart: multipart/related, a JSON metadata part then the media part;
 * - uploadType=resumable: POST opens a session (its URI in `Location`), then PUTs with Content-Range send
 *   the bytes in order; 308 + `Range: bytes=0-N` reports what is persisted; the request that completes
 *   the declared size (or `*` end with the body's end) commits the object. Nothing is visible before that.
 */

const QUANTUM = 256 * 1024;

interface Session {
  bucket: string;
  name: string;
  meta: WritableMeta;
  preconditions: Preconditions;
  sink: ByteSink;
  /** Declared total (X-Upload-Content-Length or a Content-Range total), when known. */
  total?: number;
  done?: StoredObject;
  cancelled?: boolean;
}

export class Uploads {
  private sessions = new Map<string, Session>();

  constructor(private store: Store) {}

  async post(req: IncomingMessage, res: ServerResponse, base: string, bucket: string, q: URLSearchParams): Promise<void> {
    const type = q.get('uploadType');
    if (type === 'media') return this.media(req, res, base, bucket, q);
    if (type === 'multipart') return this.multipart(req, res, base, bucket, q);
    if (type === 'resumable') return this.startSession(req, res, base, bucket, q);
    throw new GcsHttpError(400, 'invalid', `Invalid upload type: ${type ?? '(none)'}`);
  }

  private async media(req: IncomingMessage, res: ServerResponse, base: string, bucket: string, q: URLSearchParams): Promise<void> {
    this.store.bucket(bucket);
    const name = checkObjectName(q.get('name'));
    const sink = new ByteSink();
    for await (const c of req) sink.add(c as Buffer);
    const contentType = req.headers['content-type'];
    const o = this.store.commit(bucket, name, verified(sink, req.headers['x-goog-hash']), contentType ? { contentType } : {}, preconditionsOf(q));
    sendJson(res, 200, objectResource(o, base));
  }

  private async multipart(req: IncomingMessage, res: ServerResponse, base: string, bucket: string, q: URLSearchParams): Promise<void> {
    this.store.bucket(bucket);
    const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) throw new GcsHttpError(400, 'invalid', 'Missing multipart boundary.');
    const parts = splitMultipart(Buffer.concat(await readChunks(req)), boundary);
    if (parts.length !== 2) throw new GcsHttpError(400, 'invalid', `Expected 2 multipart parts, got ${parts.length}.`);
    let meta: Record<string, unknown>;
    try {
      meta = JSON.parse(parts[0].body.toString('utf8') || '{}');
    } catch {
      throw new GcsHttpError(400, 'parseError', 'Parse Error');
    }
    const name = checkObjectName(q.get('name') ?? (meta.name as string | undefined));
    const sink = new ByteSink();
    sink.add(parts[1].body);
    const writable = pickWritable(meta);
    writable.contentType ??= parts[1].headers['content-type'];
    const expected = [meta.md5Hash ? `md5=${meta.md5Hash}` : '', meta.crc32c ? `crc32c=${meta.crc32c}` : ''].filter(Boolean).join(',');
    const o = this.store.commit(bucket, name, verified(sink, expected || undefined), writable, preconditionsOf(q));
    sendJson(res, 200, objectResource(o, base));
  }

  private async startSession(req: IncomingMessage, res: ServerResponse, base: string, bucket: string, q: URLSearchParams): Promise<void> {
    const body = await readJson(req);
    const b = this.store.bucket(bucket);
    const name = checkObjectName(q.get('name') ?? (body.name as string | undefined));
    const preconditions = preconditionsOf(q);
    checkPreconditions(b.objects.get(name), preconditions);
    const meta = pickWritable(body);
    const type = req.headers['x-upload-content-type'];
    if (typeof type === 'string') meta.contentType ??= type;
    const len = req.headers['x-upload-content-length'];
    const id = randomUUID().replaceAll('-', '');
    this.sessions.set(id, { bucket, name, meta, preconditions, sink: new ByteSink(), total: len !== undefined ? Number(len) : undefined });
    const location = `${base}/upload/storage/v1/b/${bucket}/o?uploadType=resumable&name=${encodeURIComponent(name)}&upload_id=${id}`;
    sendEmpty(res, 200, { Location: location, 'X-GUploader-UploadID': id });
  }

  /** DELETE on a session URI cancels it: Google answers 499. */
  cancel(res: ServerResponse, q: URLSearchParams): void {
    const s = this.session(q);
    s.cancelled = true;
    s.sink.chunks.length = 0;
    sendJson(res, 499, { error: { code: 499, message: 'Client Closed Request', errors: [] } });
  }

  private session(q: URLSearchParams): Session {
    const s = this.sessions.get(q.get('upload_id') ?? '');
    if (!s) throw new GcsHttpError(404, 'notFound', 'No such upload session.');
    return s;
  }

  async put(req: IncomingMessage, res: ServerResponse, base: string, q: URLSearchParams): Promise<void> {
    const s = this.session(q);
    const body = await readChunks(req);
    if (s.cancelled) return sendJson(res, 499, { error: { code: 499, message: 'Client Closed Request', errors: [] } });
    if (s.done) return sendJson(res, 200, objectResource(s.done, base));
    const range = parseContentRange(req.headers['content-range']);
    const len = body.reduce((n, c) => n + c.length, 0);
    if (range.total !== undefined) {
      if (s.total !== undefined && s.total !== range.total) throw new GcsHttpError(400, 'invalid', 'The upload size changed during the session.');
      s.total = range.total;
    }
    const persisted = s.sink.size;
    if (range.start === undefined) {
      // "bytes */T" or "bytes */*": a status query, or the empty request that completes a known size.
      if (len > 0) throw new GcsHttpError(400, 'invalid', 'A "bytes */..." request carries no data.');
      if (s.total !== undefined && persisted === s.total) return this.finish(s, res, base, req.headers['x-goog-hash']);
      if (s.total !== undefined && persisted > s.total) throw new GcsHttpError(400, 'invalid', 'More bytes were persisted than the declared size.');
      return sendIncomplete(req, res, persisted);
    }
    if (range.end !== undefined && range.end - range.start + 1 !== len) {
      throw new GcsHttpError(400, 'invalid', `Content-Range covers ${range.end - range.start + 1} bytes but the request carried ${len}.`);
    }
    if (range.start > persisted) {
      throw new GcsHttpError(400, 'invalid', `Invalid request: the upload resumes at byte ${persisted}, not ${range.start}.`);
    }
    const reach = range.start + len;
    const total = range.end === undefined && range.total === undefined ? reach : s.total;
    if (total !== undefined && reach > total) throw new GcsHttpError(400, 'invalid', 'The request goes past the declared size.');
    const final = total !== undefined && reach === total;
    if (!final && len < QUANTUM) {
      throw new GcsHttpError(
        400, 'invalid',
        `Invalid request. The number of bytes uploaded is required to be equal or greater than ${QUANTUM}, except for the final request (it's recommended to be the exact multiple of ${QUANTUM}). The received request contained ${len} bytes, which does not meet this requirement.`,
      );
    }
    // A chunk that is not the last is persisted in whole 256 KiB units; the 308 Range says how far.
    const upTo = final ? reach : Math.floor(reach / QUANTUM) * QUANTUM;
    commitRange(s.sink, body, range.start, upTo);
    if (final) {
      s.total = reach;
      return this.finish(s, res, base, req.headers['x-goog-hash']);
    }
    sendIncomplete(req, res, s.sink.size);
  }

  private finish(s: Session, res: ServerResponse, base: string, hash: string | string[] | undefined): void {
    try {
      s.done = this.store.commit(s.bucket, s.name, verified(s.sink, hash), s.meta, s.preconditions);
    } catch (e) {
      s.cancelled = true;
      throw e;
    }
    sendJson(res, 200, objectResource(s.done, base));
  }
}

/** Adds the body's bytes from absolute offset `sink.size` up to `upTo` (bytes already persisted are skipped). */
function commitRange(sink: ByteSink, body: Buffer[], start: number, upTo: number): void {
  let pos = start;
  for (const c of body) {
    const from = Math.max(0, sink.size - pos);
    const to = Math.min(c.length, upTo - pos);
    if (to > from) sink.add(c.subarray(from, to));
    pos += c.length;
    if (pos >= upTo) break;
  }
}

/**
 * 308 Resume Incomplete with `Range: bytes=0-N` (no Range at all when nothing is persisted yet, as Google
 * does). Go's client (rclone) sends `X-GUploader-No-308: yes` because Go's HTTP client treats 308 as a
 * redirect; Google then answers 200 with `X-Http-Status-Code-Override: 308`.
 */
function sendIncomplete(req: IncomingMessage, res: ServerResponse, persisted: number): void {
  const headers: Record<string, string> = persisted > 0 ? { Range: `bytes=0-${persisted - 1}` } : {};
  if (String(req.headers['x-guploader-no-308']).toLowerCase() === 'yes') {
    sendEmpty(res, 200, { ...headers, 'X-Http-Status-Code-Override': '308' });
  } else sendEmpty(res, 308, headers);
}

/** "bytes a-b/T", "bytes a-b/*", "bytes a-* /T|*" (the Node SDK's single-request form), "bytes * /T|*". */
export function parseContentRange(h: string | undefined): { start?: number; end?: number; total?: number } {
  if (h === undefined) return { start: 0 }; // no Content-Range: the whole object in this request
  const m = /^bytes (?:(\d+)-(\d+|\*)|\*)\/(\d+|\*)$/.exec(h.trim());
  if (!m) throw new GcsHttpError(400, 'invalid', `Invalid Content-Range: ${h}`);
  const num = (s: string | undefined) => (s === undefined || s === '*' ? undefined : Number(s));
  return { start: num(m[1]), end: num(m[2]), total: num(m[3]) };
}

/** Checks an x-goog-hash style list ("md5=...,crc32c=...") against what was received: 400 when it differs. */
function verified(sink: ByteSink, hash: string | string[] | undefined): ByteSink {
  const header = Array.isArray(hash) ? hash.join(',') : hash;
  if (!header) return sink;
  const d = sink.digests();
  for (const pair of header.split(',')) {
    const i = pair.indexOf('=');
    const [type, value] = [pair.slice(0, i).trim(), pair.slice(i + 1).trim()];
    const actual = type === 'md5' ? d.md5 : type === 'crc32c' ? d.crc32c : undefined;
    if (actual !== undefined && actual !== value) {
      const label = type === 'md5' ? 'MD5' : 'CRC32C';
      throw new GcsHttpError(400, 'invalid', `Provided ${label} hash "${value}" doesn't match calculated ${label} hash "${actual}".`);
    }
  }
  return sink;
}

/** Splits a multipart/related body into parts (headers lower-cased, body bytes exact). */
function splitMultipart(buf: Buffer, boundary: string): Array<{ headers: Record<string, string>; body: Buffer }> {
  const delim = Buffer.from(`--${boundary}`);
  const parts: Array<{ headers: Record<string, string>; body: Buffer }> = [];
  let at = buf.indexOf(delim);
  while (at >= 0) {
    const start = at + delim.length;
    if (buf.subarray(start, start + 2).toString() === '--') break;
    const next = buf.indexOf(Buffer.concat([Buffer.from('\r\n'), delim]), start);
    if (next < 0) break;
    // The part, from the CRLF that ends the delimiter line: headers (maybe none) end at the first blank line.
    const part = buf.subarray(start, next);
    const split = part.indexOf('\r\n\r\n');
    const head = split >= 2 ? part.subarray(2, split).toString('utf8') : '';
    const headers: Record<string, string> = {};
    for (const line of head.split('\r\n')) {
      const i = line.indexOf(':');
      if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
    }
    parts.push({ headers, body: split >= 0 ? part.subarray(split + 4) : Buffer.alloc(0) });
    at = next + 2;
  }
  return parts;
}
