import { spawn } from 'node:child_process';
import { createHash, createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { supervise } from '../support/child-server';
import { freePort } from '../support/ports';

/**
 * s3rver 3.7.1 (npm) on a free 127.0.0.1 port, storing objects in a temp folder that stop() removes.
 *
 * It runs as its own Node process with `--openssl-legacy-provider`: s3rver encrypts ListObjectsV2
 * continuation tokens with DES, which Node 20's OpenSSL 3 refuses without the legacy provider (every
 * truncated ListObjectsV2 page then fails with a 500 InternalError). The S3 connector's `listVersion: 1`
 * option exists for servers that really lack V2; the tests exercise both.
 *
 * It is started through LAUNCHER below, which fixes one s3rver bug: its directory walk skips folders more than
 * one level below a listed prefix, so a listing with Delimiter '/' misses the common prefix "a/" when the only
 * key under it is "a/b/c.txt" (real S3 reports it). The fix walks every folder (the pruning was only a speed-up).
 *
 * LAUNCHER also adds the two multipart requests s3rver lacks (it answers NotImplemented and 405), after
 * Amazon's API reference, on s3rver's own upload folders: ListMultipartUploads (GET /bucket?uploads, with
 * prefix, unpaged) and AbortMultipartUpload (DELETE /bucket/key?uploadId=ID, removing the upload's parts).
 *
 * Path-style only (vhostBuckets off): a bucket cannot be a subdomain of 127.0.0.1.
 * What s3rver does not check, tests must not expect from it: Content-MD5 and other checksums (see
 * shared/notes/verified.md) and SigV4 signatures (a wrong secret is accepted; only an unknown access key id
 * is refused). startS3Proxy below adds the checks a test needs.
 */
export const name = 's3';

const S3RVER_DIR = join(import.meta.dirname, '..', '..', 'node_modules', 's3rver');

/**
 * Runs s3rver with its listing walk fixed (see above) and Nagle's algorithm off on its sockets: with it on,
 * every response waits for the client's delayed ACK (about 20 ms a request instead of 4).
 * argv: [node, s3rverDir, optionsJson].
 */
const LAUNCHER = `
const utils = require(process.argv[1] + '/lib/utils.js');
const walk = utils.walk;
utils.walk = (dir) => walk(dir);
const S3rver = require(process.argv[1]);
const server = new S3rver(JSON.parse(process.argv[2]));
const fsp = require('fs/promises');
const path = require('path');
const esc = (t) => t.replace(/[<>&'"]/g, (c) => '&#' + c.charCodeAt(0) + ';');
server.middleware.unshift(async (ctx, next) => {
  const bucket = new RegExp('^/([^/]+)/?$').exec(ctx.path);
  const object = new RegExp('^/([^/]+)/(.+)$').exec(ctx.path);
  if (ctx.method === 'GET' && bucket && 'uploads' in ctx.query) {
    const dir = server.store.getResourcePath(bucket[1], undefined, 'uploads');
    const ids = await fsp.readdir(dir).catch(() => []);
    const uploads = [];
    for (const id of ids) {
      const key = await fsp.readFile(path.join(dir, id, 'key'), 'utf8').catch(() => null);
      if (key !== null && key.startsWith(ctx.query.prefix || '')) uploads.push('<Upload><Key>' + esc(key) + '</Key><UploadId>' + esc(id) + '</UploadId></Upload>');
    }
    ctx.type = 'application/xml';
    ctx.body = '<?xml version="1.0" encoding="UTF-8"?><ListMultipartUploadsResult><Bucket>' + esc(bucket[1]) + '</Bucket>' + uploads.join('') + '<IsTruncated>false</IsTruncated></ListMultipartUploadsResult>';
    return;
  }
  if (ctx.method === 'DELETE' && object && ctx.query.uploadId) {
    const dir = path.join(server.store.getResourcePath(object[1], undefined, 'uploads'), path.basename(ctx.query.uploadId));
    try {
      await fsp.access(dir);
    } catch {
      ctx.status = 404;
      ctx.type = 'application/xml';
      ctx.body = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchUpload</Code><Message>The specified upload does not exist.</Message></Error>';
      return;
    }
    await fsp.rm(dir, { recursive: true, force: true });
    ctx.status = 204;
    return;
  }
  return next();
});
server.run().then(
  () => server.httpServer.on('connection', (socket) => socket.setNoDelay(true)),
  (e) => { console.error(e); process.exit(1); },
);
`;

export interface S3ServerInfo {
  endpoint: string;
  /** s3rver's one hard-coded key pair (models/account.js): public test values, not secrets. */
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
  [k: string]: unknown;
}

export async function start(): Promise<{ info: S3ServerInfo; stop(): Promise<void> }> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), 'ferry-s3rver-'));
  const options = { directory: dir, address: '127.0.0.1', port, silent: true, vhostBuckets: false };
  // detached: its own process group, so stop() signals exactly this server.
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', LAUNCHER, S3RVER_DIR, JSON.stringify(options)], {
    stdio: ['ignore', 'ignore', 'pipe'],
    detached: true,
  });
  const stop = await supervise(child, { label: 's3rver', port, scratch: dir });

  return {
    info: { endpoint: `http://127.0.0.1:${port}`, accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', region: 'us-east-1' },
    stop,
  };
}

/** An SDK client for the test server, for test set-up and for looking at what the server really stored. */
export function testClient(info: S3ServerInfo): S3Client {
  return new S3Client({
    endpoint: info.endpoint,
    region: info.region,
    forcePathStyle: true,
    credentials: { accessKeyId: info.accessKeyId, secretAccessKey: info.secretAccessKey },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
}

/** Creates a bucket (fine if this account already has it). Names: 3-63 chars, lowercase, digits, '-'. */
export async function createBucket(info: S3ServerInfo, bucket: string): Promise<void> {
  const client = testClient(info);
  try {
    await client.send(new CreateBucketCommand({ Bucket: bucket }));
  } catch (e) {
    if ((e as { name?: string }).name !== 'BucketAlreadyOwnedByYou') throw e;
  } finally {
    client.destroy();
  }
}

export interface ProxiedRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  /** Base64 MD5 of the body as it arrived (before any corruption the proxy adds). */
  bodyMd5: string;
}

export interface S3ProxyOptions {
  /**
   * Answer CompleteMultipartUpload with the ETag AWS computes, MD5(part MD5s) + "-N" from the part ETags the
   * server answered, instead of s3rver's whole-object MD5: lets tests exercise the AWS form of verification.
   */
  awsMultipartEtags?: boolean;
  /** Flip one byte in the body of matching requests on the way to the server (a corruption in transit). */
  corrupt?: (r: ProxiedRequest) => boolean;
  /** Check SigV4 signatures against this secret as AWS does (s3rver does not), answering 403 SignatureDoesNotMatch. */
  secretAccessKey?: string;
  /** Check signatures only on the requests this accepts (all when unset), e.g. to let a connect through. */
  checkOnly?: (r: ProxiedRequest) => boolean;
}

/**
 * A small HTTP proxy in front of s3rver for tests of what a real network and AWS do that s3rver does not:
 * bytes damaged in transit, and AWS's multipart ETags. It forwards every request unchanged otherwise (the
 * Host header too, so SigV4 signatures still check out) and records what went through.
 */
export async function startS3Proxy(
  target: string,
  opts: S3ProxyOptions = {},
): Promise<{ endpoint: string; requests: ProxiedRequest[]; completedEtags: string[]; stop(): Promise<void> }> {
  const { createServer, request } = await import('node:http');
  const to = new URL(target);
  const requests: ProxiedRequest[] = [];
  const completedEtags: string[] = [];
  const partEtags = new Map<string, Map<number, string>>();
  const srv = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const r = { method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, bodyMd5: createHash('md5').update(body).digest('base64') };
      requests.push(r);
      if (opts.corrupt?.(r) && body.length > 0) body[Math.floor(body.length / 2)] ^= 0xff;
      const q = new URL(r.url, 'http://x').searchParams;
      if (opts.secretAccessKey && (opts.checkOnly?.(r) ?? true) && !signatureMatches(req.method ?? 'GET', r.url, req.headers, opts.secretAccessKey)) {
        const xml = '<?xml version="1.0" encoding="UTF-8"?><Error><Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match the signature you provided.</Message></Error>';
        res.writeHead(403, { 'content-type': 'application/xml', 'content-length': String(Buffer.byteLength(xml)) });
        res.end(xml);
        return;
      }
      const upstream = request(
        { host: to.hostname, port: to.port, method: r.method, path: r.url, headers: req.headers },
        (up) => {
          const out: Buffer[] = [];
          up.on('data', (c: Buffer) => out.push(c));
          up.on('end', () => {
            let answer = Buffer.concat(out);
            const headers = { ...up.headers };
            const uploadId = q.get('uploadId');
            if (opts.awsMultipartEtags && uploadId && up.statusCode === 200) {
              if (r.method === 'PUT' && q.get('partNumber') && typeof headers.etag === 'string') {
                if (!partEtags.has(uploadId)) partEtags.set(uploadId, new Map());
                partEtags.get(uploadId)!.set(Number(q.get('partNumber')), headers.etag.replace(/"/g, ''));
              } else if (r.method === 'POST') {
                const parts = [...(partEtags.get(uploadId) ?? new Map<number, string>()).entries()].sort((a, b) => a[0] - b[0]);
                const etag = `"${createHash('md5').update(Buffer.concat(parts.map(([, e]) => Buffer.from(e, 'hex')))).digest('hex')}-${parts.length}"`;
                completedEtags.push(etag);
                answer = Buffer.from(answer.toString().replace(/<ETag>[^<]*<\/ETag>/, `<ETag>${etag.replace(/"/g, '&quot;')}</ETag>`));
                headers['content-length'] = String(answer.length);
              }
            }
            res.writeHead(up.statusCode ?? 502, headers);
            res.end(answer);
          });
        },
      );
      upstream.on('error', () => res.destroy());
      upstream.end(body);
    });
  });
  await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', () => resolve()));
  const { port } = srv.address() as { port: number };
  return {
    endpoint: `http://127.0.0.1:${port}`,
    requests,
    completedEtags,
    stop: () => new Promise<void>((resolve) => { srv.closeAllConnections(); srv.close(() => resolve()); }),
  };
}

/**
 * Recomputes an AWS SigV4 header signature (the S3 flavour: the path as sent, payload hash from
 * x-amz-content-sha256) with `secret` and compares it with the one the client sent.
 */
function signatureMatches(method: string, url: string, headers: Record<string, string | string[] | undefined>, secret: string): boolean {
  const auth = String(headers.authorization ?? '');
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]+)$/.exec(auth);
  if (!m) return false;
  const [, , date, region, service, signedHeaders, signature] = m;
  const [path, query = ''] = url.split('?');
  const canonicalQuery = query
    .split('&')
    .filter(Boolean)
    .map((p) => (p.includes('=') ? p : `${p}=`))
    .sort()
    .join('&');
  const canonicalHeaders = signedHeaders
    .split(';')
    .map((h) => `${h}:${String(headers[h] ?? '').trim().replace(/\s+/g, ' ')}\n`)
    .join('');
  const canonical = [method, path, canonicalQuery, canonicalHeaders, signedHeaders, String(headers['x-amz-content-sha256'] ?? '')].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', String(headers['x-amz-date'] ?? ''), scope, createHash('sha256').update(canonical).digest('hex')].join('\n');
  const hmac = (key: Buffer | string, data: string) => createHmac('sha256', key).update(data).digest();
  const key = hmac(hmac(hmac(hmac(`AWS4${secret}`, date), region), service), 'aws4_request');
  return createHmac('sha256', key).update(toSign).digest('hex') === signature;
}
