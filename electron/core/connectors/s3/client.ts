import { createHash } from 'node:crypto';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { S3Client, type S3ClientConfig } from '@aws-sdk/client-s3';
import { fromIni, fromNodeProviderChain } from '@aws-sdk/credential-providers';
import { FerryError } from '../../errors';
import { S3_CAPABILITIES } from './index';
import type { S3Config } from './options';

/** Fixed keys or a provider the SDK calls (and refreshes) itself. */
export type Credentials = NonNullable<S3ClientConfig['credentials']>;

/**
 * The credentials the profile asks for. Access keys come from the keychain (never from the profile's saved
 * options); a named profile and the default chain use the SDK's own providers, so SSO, credential_process,
 * assume-role and instance roles behave exactly as in the AWS CLI.
 */
export async function credentialsFor(
  cfg: S3Config,
  secret: (name: string) => Promise<string | undefined>,
  profileId: string,
): Promise<{ credentials: Credentials; secrets: string[] }> {
  if (cfg.auth === 'keys') {
    const secretAccessKey = await secret('secretAccessKey');
    if (!secretAccessKey) {
      throw new FerryError('SECRET_REQUIRED', 'The secret access key is needed', { detail: { profileId, name: 'secretAccessKey' } });
    }
    const sessionToken = await secret('sessionToken');
    return {
      credentials: { accessKeyId: cfg.accessKeyId!, secretAccessKey, ...(sessionToken ? { sessionToken } : {}) },
      secrets: [secretAccessKey, ...(sessionToken ? [sessionToken] : [])],
    };
  }
  // ignoreCache: re-read ~/.aws on every connect, so an edited credentials file (or a fresh `aws sso login`) counts.
  if (cfg.auth === 'profile') return { credentials: fromIni({ profile: cfg.awsProfile, ignoreCache: true }), secrets: [] };
  return { credentials: fromNodeProviderChain({ ignoreCache: true }), secrets: [] };
}

/** The kept-alive agents a client sends through, for the GETs get.ts sends itself on the same sockets. */
const agents = new WeakMap<S3Client, { http: HttpAgent; https: HttpsAgent }>();

export function agentsOf(client: S3Client): { http: HttpAgent; https: HttpsAgent } {
  return agents.get(client)!;
}

export function makeClient(cfg: S3Config, credentials: Credentials): S3Client {
  // Ferry pins the SDK (its releases after January 2027 need Node 22); its "upgrade Node" warning speaks to
  // developers, not to someone running `ferry ls`. An explicit setting in the environment still wins.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  // As many sockets as one upload sends parts at once, and at least as many as reads the engine may run at once.
  const sockets = Math.max(cfg.uploadConcurrency + 1, S3_CAPABILITIES.maxConnections);
  const httpAgent = new HttpAgent({ keepAlive: true, maxSockets: sockets });
  const httpsAgent = new HttpsAgent({ keepAlive: true, maxSockets: sockets });
  const client = new S3Client({
    region: cfg.region,
    ...(cfg.auth === 'profile' ? { profile: cfg.awsProfile } : {}),
    ...(cfg.endpoint ? { endpoint: cfg.endpoint } : {}),
    forcePathStyle: cfg.pathStyle,
    credentials,
    // A bucket in another region than the profile's answers with a redirect; follow it instead of failing.
    followRegionRedirects: cfg.provider === 'aws',
    // Only the checksums S3 requires: many S3-compatible servers cannot parse the SDK's default CRC32 trailers
    // (aws-chunked bodies). Ferry sends Content-MD5 itself and verifies ETags against what it streamed.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
    maxAttempts: 3,
    // No "Expect: 100-continue" on bodies: with it the SDK opens a fresh, non-kept-alive connection for every
    // part and waits a round trip before sending. Ferry's requests are signed and sized up front.
    expectContinueHeader: false,
    requestHandler: {
      connectionTimeout: 15_000,
      requestTimeout: 120_000,
      // Kept-alive sockets (each pooled connector has its own client).
      httpAgent,
      httpsAgent,
    },
  });
  addDeleteObjectsMd5(client);
  addUnsignedPayload(client);
  agents.set(client, { http: httpAgent, https: httpsAgent });
  return client;
}

/**
 * DeleteObjects must carry a checksum; the SDK now sends CRC32 only, and MinIO, Ceph and other S3-compatible
 * servers refuse that with MissingContentMD5 (aws-sdk-js-v3 issue 6920). Content-MD5 is added next to it,
 * which AWS accepts too. Runs in the build step, before the request is signed.
 */
function addDeleteObjectsMd5(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string>; body?: unknown } | undefined;
      if (context.commandName === 'DeleteObjectsCommand' && request?.headers && typeof request.body === 'string') {
        request.headers['content-md5'] = createHash('md5').update(request.body).digest('base64');
      }
      return next(args);
    },
    { step: 'build', name: 'ferryDeleteObjectsContentMd5' },
  );
}

/**
 * Object and part uploads are signed with "UNSIGNED-PAYLOAD" instead of the body's SHA-256: that hash is one
 * more full pass over every byte (the costliest of the upload's hashes), and it adds nothing here because
 * Ferry sends the body's Content-MD5, which is signed and which the server checks before storing.
 * Only where that header is present; runs in the build step, before signing.
 */
function addUnsignedPayload(client: S3Client): void {
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const request = args.request as { headers?: Record<string, string> } | undefined;
      const upload = context.commandName === 'PutObjectCommand' || context.commandName === 'UploadPartCommand';
      if (upload && request?.headers?.['content-md5']) request.headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
      return next(args);
    },
    { step: 'build', name: 'ferryUnsignedPayload' },
  );
}
