import { request as httpRequest, type Agent as HttpAgent, type IncomingMessage } from 'node:http';
import { request as httpsRequest, type Agent as HttpsAgent } from 'node:https';
import type { S3Client } from '@aws-sdk/client-s3';
import { GetSigner } from './get-signer';
import type { S3Config } from './options';

/**
 * GetObject as one signed HTTP GET, without the SDK's command pipeline: the SDK spends about 3 ms of CPU per
 * call (middleware stack rebuilt per call, serialization, signing), which dominated downloads of many small
 * objects. The URL comes from the SDK's own endpoint rules (path-style or virtual-hosted, AWS regions), the
 * signature from SigV4 as the SDK's SignatureV4 makes it (get-signer.ts, with the client's credentials
 * provider, session tokens included), and the request goes through the client's kept-alive agents.
 * Everything else keeps using the SDK.
 */

/** What a failed GET looks like to fromS3Error: the S3 code as `name`, the status in `$metadata`. */
export interface GetError extends Error {
  $metadata: { httpStatusCode: number };
}

export interface GetAnswer {
  body: IncomingMessage;
  contentRange: string | undefined;
}

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
const ATTEMPTS = 3;
const IDLE_TIMEOUT_MS = 120_000;

interface Target {
  url: URL;
  signer: GetSigner;
}

export class ObjectGetter {
  /** Per bucket: where its objects are and who signs for that region (a redirect may change the region). */
  private readonly targets = new Map<string, Promise<Target>>();

  constructor(
    private readonly client: S3Client,
    private readonly cfg: S3Config,
    private readonly agents: { http: HttpAgent; https: HttpsAgent },
  ) {}

  /** The object's body (status 200 or 206), streamed as it arrives; failures throw a GetError or a socket error. */
  async get(bucket: string, key: string, range: string | undefined, signal?: AbortSignal): Promise<GetAnswer> {
    let redirected = false;
    for (let attempt = 1; ; attempt++) {
      const target = await this.target(bucket);
      try {
        const res = await this.send(target, key, range, signal);
        const status = res.statusCode ?? 0;
        if (status === 200 || status === 206) return { body: res, contentRange: header(res, 'content-range') };
        const err = await failure(res);
        // A bucket in another region (AWS): the answer names the right one; ask there, as the SDK's followRegionRedirects does.
        const region = header(res, 'x-amz-bucket-region');
        if (this.cfg.provider === 'aws' && region && !redirected && (status === 301 || status === 400)) {
          redirected = true;
          this.targets.set(bucket, this.resolve(bucket, region));
          continue;
        }
        if (status < 500 || attempt >= ATTEMPTS) throw err;
      } catch (e) {
        if (signal?.aborted || !isSocketError(e) || attempt >= ATTEMPTS) throw e;
      }
      // A kept-alive socket the server had just closed, or a 5xx: try again shortly, as the SDK's retries did.
      await new Promise((r) => setTimeout(r, 50 * attempt));
    }
  }

  private target(bucket: string): Promise<Target> {
    let t = this.targets.get(bucket);
    if (!t) {
      t = this.resolve(bucket);
      t.catch(() => this.targets.delete(bucket));
      this.targets.set(bucket, t);
    }
    return t;
  }

  private async resolve(bucket: string, regionOverride?: string): Promise<Target> {
    const config = this.client.config;
    const region = regionOverride ?? (await config.region());
    // With no endpoint on the profile, AWS_ENDPOINT_URL(_S3) or endpoint_url in ~/.aws/config count, as for the SDK's own calls.
    const configured = config as { ignoreConfiguredEndpointUrls?: boolean; serviceConfiguredEndpoint?: () => Promise<string | undefined> };
    const endpoint = this.cfg.endpoint ?? (configured.ignoreConfiguredEndpointUrls ? undefined : await configured.serviceConfiguredEndpoint?.());
    const resolved = config.endpointProvider(
      {
        Bucket: bucket,
        Region: region,
        ForcePathStyle: this.cfg.pathStyle,
        ...(endpoint ? { Endpoint: endpoint } : {}),
        UseFIPS: false,
        UseDualStack: false,
        Accelerate: false,
      },
      {},
    );
    const scheme = (resolved.properties?.authSchemes as { signingRegion?: string }[] | undefined)?.[0];
    const signer = new GetSigner(config.credentials, scheme?.signingRegion ?? region, 's3');
    return { url: new URL(resolved.url.href), signer };
  }

  private async send(t: Target, key: string, range: string | undefined, signal?: AbortSignal): Promise<IncomingMessage> {
    const base = t.url.pathname;
    const path = `${base.endsWith('/') ? base : `${base}/`}${key.split('/').map(encodeKeySegment).join('/')}`;
    const https = t.url.protocol === 'https:';
    const headers: Record<string, string> = { host: t.url.host, 'x-amz-content-sha256': EMPTY_SHA256 };
    if (range) headers.range = range;
    const signed = await t.signer.sign(path, headers);
    signal?.throwIfAborted();
    return new Promise<IncomingMessage>((resolve, reject) => {
      const req = (https ? httpsRequest : httpRequest)({
        method: 'GET',
        protocol: t.url.protocol,
        hostname: t.url.hostname.replace(/^\[|\]$/g, ''),
        port: t.url.port || (https ? 443 : 80),
        path,
        headers: signed,
        agent: https ? this.agents.https : this.agents.http,
        ...(signal ? { signal } : {}),
      });
      req.setTimeout(IDLE_TIMEOUT_MS, () => req.destroy(Object.assign(new Error('The S3 server stopped answering'), { name: 'TimeoutError' })));
      req.once('response', resolve);
      req.once('error', (e) => reject(e.name === 'AbortError' ? Object.assign(new Error('Cancelled'), { name: 'AbortError' }) : e));
      req.end();
    });
  }
}

/** The S3 error a non-2xx answer carries in its XML body (a 404 to a HEAD-like answer may have none). */
async function failure(res: IncomingMessage): Promise<GetError> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of res as AsyncIterable<Buffer>) {
    if (size < 64 * 1024) chunks.push(c);
    size += c.length;
  }
  const xml = Buffer.concat(chunks).toString('utf8');
  const status = res.statusCode ?? 0;
  const code = tag(xml, 'Code') ?? (status === 404 ? 'NotFound' : status === 403 ? 'Forbidden' : `HTTP${status}`);
  const err = new Error(tag(xml, 'Message') ?? `HTTP ${status}`) as GetError;
  err.name = code;
  err.$metadata = { httpStatusCode: status };
  return err;
}

function tag(xml: string, name: string): string | undefined {
  const m = new RegExp(`<${name}>([^<]*)</${name}>`).exec(xml);
  return m ? m[1] : undefined;
}

function header(res: IncomingMessage, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function isSocketError(e: unknown): boolean {
  const code = (e as { code?: string }).code;
  return code === 'ECONNRESET' || code === 'EPIPE' || code === 'ECONNABORTED' || (e as GetError).$metadata?.httpStatusCode >= 500;
}

/** As the SDK encodes a key segment: encodeURIComponent plus the characters it leaves alone (RFC 3986 reserved). */
function encodeKeySegment(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}
