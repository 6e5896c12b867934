/**
 * A stand-in that implements the JSON API subset Ferry uses; it is NOT Google Cloud Storage; it exists
 * because no GCS emulator runs offline here (firebase's needs Java 21 and a JAR download, fake-gcs-server is
 * Go, gcp-storage-emulator is Python: none installs on these machines).
 *
 * What it implements, following Google's JSON API documentation, for @google-cloud/storage 7.x and rclone:
 *   buckets: list (paged), get, insert, delete (409 when not empty)
 *   objects: list (prefix, delimiter → `prefixes`, pageToken, maxResults, startOffset/endOffset),
 *            get (metadata; `alt=media` bytes with Range → 206), patch/update, delete,
 *            rewriteTo and copyTo (server-side copy)
 *   uploads: uploadType=media, multipart, resumable (session URI, chunked PUTs with Content-Range,
 *            308 + Range, the object appears only when complete)
 *   preconditions ifGenerationMatch (0 = must not exist), ifGenerationNotMatch, ifMetagenerationMatch... → 412
 *   md5Hash and crc32c as base64, size/generation as strings, RFC 3339 times, custom `metadata`.
 * Everything is in memory. Requests are not authenticated (like every emulator): any Authorization header
 * is ignored. `maxPageSize` lets tests exercise paging with few objects (Google may also return fewer
 * entries than maxResults; clients must follow nextPageToken).
 *
 * Not part of GCS: POST /_emulator/corrupt-next-upload?bucket=B&name=N stores the next upload of that
 * object with one byte flipped, so a client's checksum verification can be tested.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { GcsHttpError, baseUrlOf, pathSegments, readJson, sendEmpty, sendError, sendJson } from './http';
import { listBuckets, listObjects } from './listing';
import { copyObject, deleteObject, downloadObject, getObject, patchObject } from './objects';
import { Store, bucketResource, objectResource } from './store';
import { Uploads } from './uploads';

export interface GcsEmulatorOptions {
  host?: string;
  port?: number;
  /** Most entries per list page (Google's cap is 1000). */
  maxPageSize?: number;
  /** Keep a log of requests in `requests` (for tests that check which protocol a client used). */
  record?: boolean;
}

export interface RecordedRequest {
  method: string;
  /** Raw path and query, as sent. */
  url: string;
  contentRange?: string;
  status: number;
}

export interface GcsEmulator {
  /** e.g. http://127.0.0.1:4443 — the SDK's apiEndpoint; the JSON API lives under /storage/v1. */
  url: string;
  port: number;
  store: Store;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export async function startGcsEmulator(opts: GcsEmulatorOptions = {}): Promise<GcsEmulator> {
  const store = new Store();
  const uploads = new Uploads(store);
  const pageCap = opts.maxPageSize ?? 1000;
  // GCS_EMULATOR_LOG=1 prints each request and its status (to see what a client really sends).
  const log = process.env.GCS_EMULATOR_LOG === '1';
  const requests: RecordedRequest[] = [];
  const server: Server = createServer((req, res) => {
    if (log) res.once('finish', () => console.error(`${req.method} ${req.url} ${JSON.stringify(req.headers['content-type'] ?? '')} ${req.headers['content-range'] ?? ''} -> ${res.statusCode}`));
    if (opts.record) {
      res.once('finish', () => {
        const contentRange = req.headers['content-range'];
        requests.push({ method: req.method ?? '', url: req.url ?? '', status: res.statusCode, ...(contentRange ? { contentRange } : {}) });
      });
    }
    handle(req, res).catch((e) => sendError(res, e));
  });
  server.keepAliveTimeout = 30_000;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = req.url ?? '/';
    const qAt = raw.indexOf('?');
    const q = new URLSearchParams(qAt >= 0 ? raw.slice(qAt + 1) : '');
    const seg = pathSegments(qAt >= 0 ? raw.slice(0, qAt) : raw);
    const base = baseUrlOf(req);
    const method = req.method ?? 'GET';

    if (seg[0] === '_emulator') return control(req, res, seg, q);

    // /upload/storage/v1/b/{bucket}/o
    if (seg[0] === 'upload' && seg[1] === 'storage' && seg[2] === 'v1' && seg[3] === 'b' && seg[5] === 'o' && seg.length === 6) {
      // Chunks go to the session URI; Google takes them as PUT (Node SDK) or POST (Go client, rclone).
      if (q.has('upload_id') && (method === 'PUT' || method === 'POST')) return uploads.put(req, res, base, q);
      if (method === 'POST') return uploads.post(req, res, base, seg[4], q);
      if (method === 'DELETE') return uploads.cancel(res, q);
    }
    // /download/storage/v1/b/{bucket}/o/{object} (the mediaLink form)
    if (seg[0] === 'download' && seg[1] === 'storage' && seg[2] === 'v1' && seg[3] === 'b' && seg[5] === 'o' && seg.length >= 7) {
      if (method === 'GET' || method === 'HEAD') return downloadObject(store, req, res, seg[4], seg.slice(6).join('/'), q);
    }
    if (seg[0] === 'storage' && seg[1] === 'v1' && seg[2] === 'b') return storageV1(req, res, method, seg.slice(3), q, base);
    throw new GcsHttpError(404, 'notFound', `Not Found: ${method} ${seg.join('/')}`);
  }

  /** Routes below /storage/v1/b; `s` starts at the bucket name. */
  async function storageV1(req: IncomingMessage, res: ServerResponse, method: string, s: string[], q: URLSearchParams, base: string) {
    if (s.length === 0 || (s.length === 1 && s[0] === '')) {
      if (method === 'GET') {
        const page = listBuckets(store.buckets.values(), q, pageCap);
        return sendJson(res, 200, {
          kind: 'storage#buckets',
          ...(page.items.length ? { items: page.items.map((b) => bucketResource(b, base)) } : {}),
          ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        });
      }
      if (method === 'POST') {
        const body = await readJson(req);
        return sendJson(res, 200, bucketResource(store.createBucket(body.name), base));
      }
    }
    const bucket = s[0];
    if (s.length === 1) {
      if (method === 'GET') return sendJson(res, 200, bucketResource(store.bucket(bucket), base));
      if (method === 'DELETE') {
        store.deleteBucket(bucket);
        return sendEmpty(res, 204);
      }
      if (method === 'PATCH') {
        await readJson(req);
        return sendJson(res, 200, bucketResource(store.bucket(bucket), base));
      }
    }
    if (s[1] !== 'o') throw new GcsHttpError(404, 'notFound', 'Not Found');
    if (s.length === 2) {
      if (method !== 'GET') throw new GcsHttpError(405, 'methodNotAllowed', 'Method not allowed');
      const page = listObjects(store.bucket(bucket), q, pageCap);
      return sendJson(res, 200, {
        kind: 'storage#objects',
        ...(page.nextPageToken ? { nextPageToken: page.nextPageToken } : {}),
        ...(page.prefixes.length ? { prefixes: page.prefixes } : {}),
        ...(page.items.length ? { items: page.items.map((o) => objectResource(o, base)) } : {}),
      });
    }
    // {object}/rewriteTo/b/{bucket}/o/{object} and .../copyTo/...
    const op = s.length >= 7 ? s[s.length - 5] : undefined;
    if (method === 'POST' && (op === 'rewriteTo' || op === 'copyTo') && s[s.length - 4] === 'b' && s[s.length - 2] === 'o') {
      const from = { bucket, name: s.slice(2, s.length - 5).join('/') };
      const to = { bucket: s[s.length - 3], name: s[s.length - 1] };
      return copyObject(store, req, res, base, from, to, q, op === 'rewriteTo' ? 'rewrite' : 'copy');
    }
    const name = s.slice(2).join('/');
    if (method === 'GET' || method === 'HEAD') {
      if (q.get('alt') === 'media') return downloadObject(store, req, res, bucket, name, q);
      return getObject(store, res, base, bucket, name, q);
    }
    if (method === 'PATCH' || method === 'PUT') return patchObject(store, req, res, base, bucket, name, q);
    if (method === 'DELETE') return deleteObject(store, res, bucket, name, q);
    throw new GcsHttpError(405, 'methodNotAllowed', 'Method not allowed');
  }

  async function control(req: IncomingMessage, res: ServerResponse, seg: string[], q: URLSearchParams) {
    await readJson(req);
    if (req.method === 'POST' && seg[1] === 'corrupt-next-upload') {
      store.corruptNext.add(`${q.get('bucket')}/${q.get('name')}`);
      return sendEmpty(res, 204);
    }
    throw new GcsHttpError(404, 'notFound', 'Unknown emulator control');
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${opts.host ?? '127.0.0.1'}:${port}`,
    port,
    store,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
