// The floor of Node and the S3 libraries Ferry uses for 2,000 small S3 downloads, with no engine, store or
// stream layers: TRANSFERS objects at a time (default 4, as Ferry's default), each body read whole and
// written with synchronous calls. Each GET is what Ferry's connectors/s3/get.ts sends: a plain Node http GET
// on a kept-alive agent, signed by the SDK's SignatureV4; with "sdk" it goes through the SDK's GetObject
// instead (its command pipeline, which Ferry bypasses for GETs). "safe" adds what Ferry keeps per file: a
// temp name, the md5 of the bytes compared with the listing's ETag, the object's time set, then the rename.
//   S3_ENDPOINT=http://… S3_REGION=… S3_KEY=… S3_SECRET=… [TRANSFERS=4] \
//   node bench/floors/s3-small.mjs /BUCKET/FOLDER DEST [safe] [sdk]
import { createHash, createHmac } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { SignatureV4 } from '@smithy/signature-v4';

const { S3_ENDPOINT, S3_REGION, S3_KEY, S3_SECRET, TRANSFERS = '4' } = process.env;
const [remote, dest, ...modes] = process.argv.slice(2);
const [bucket, ...folder] = remote.replace(/^\//, '').split('/');
const prefix = folder.length ? `${folder.join('/')}/` : '';
const safe = modes.includes('safe');
const viaSdk = modes.includes('sdk');
fs.mkdirSync(dest, { recursive: true });
const t0 = performance.now();

const s3 = new S3Client({ endpoint: S3_ENDPOINT, region: S3_REGION, forcePathStyle: true, credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET } });
const objects = [];
for (let token; ; ) {
  const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
  objects.push(...(page.Contents ?? []));
  if (!page.IsTruncated) break;
  token = page.NextContinuationToken;
}

class Sha256 {
  constructor(secret) {
    this.h = secret ? createHmac('sha256', secret) : createHash('sha256');
  }
  update(d) {
    this.h.update(d);
  }
  async digest() {
    return new Uint8Array(this.h.digest());
  }
}
const signer = new SignatureV4({ credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_SECRET }, region: S3_REGION, service: 's3', sha256: Sha256, uriEscapePath: false });
const endpoint = new URL(S3_ENDPOINT);
const agent = new http.Agent({ keepAlive: true, maxSockets: Number(TRANSFERS) });
const EMPTY_SHA256 = createHash('sha256').digest('hex');

/** The object's bytes by a signed GET, as Ferry's get.ts sends it (path-style, http). */
async function get(key) {
  if (viaSdk) return (await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }))).Body.transformToByteArray();
  const path = `/${bucket}/${key.split('/').map(encodeURIComponent).join('/')}`;
  const signed = await signer.sign({ method: 'GET', protocol: 'http:', hostname: endpoint.hostname, port: Number(endpoint.port), path, query: {}, headers: { host: endpoint.host, 'x-amz-content-sha256': EMPTY_SHA256 } });
  return new Promise((resolve, reject) => {
    const req = http.request({ method: 'GET', hostname: endpoint.hostname, port: endpoint.port, path, headers: signed.headers, agent }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => (res.statusCode === 200 ? resolve(Buffer.concat(chunks)) : reject(new Error(`HTTP ${res.statusCode}: ${key}`))));
    });
    req.on('error', reject);
    req.end();
  });
}

let next = 0;
async function worker() {
  while (next < objects.length) {
    const o = objects[next++];
    const name = o.Key.split('/').pop();
    const bytes = await get(o.Key);
    if (safe && createHash('md5').update(bytes).digest('hex') !== o.ETag.replaceAll('"', '')) throw new Error(`md5 mismatch: ${o.Key}`);
    const target = safe ? `${dest}/.${name}.tmp` : `${dest}/${name}`;
    const fd = fs.openSync(target, 'w');
    fs.writeSync(fd, bytes, 0, bytes.length, 0);
    if (safe) fs.futimesSync(fd, o.LastModified, o.LastModified);
    fs.closeSync(fd);
    if (safe) fs.renameSync(target, `${dest}/${name}`);
  }
}
await Promise.all(Array.from({ length: Number(TRANSFERS) }, worker));
s3.destroy();
agent.destroy();
console.log(`${objects.length} files in ${((performance.now() - t0) / 1000).toFixed(2)} s`);
