import { AnonymousCredential, BlobServiceClient, ContainerClient, StorageSharedKeyCredential, type StoragePipelineOptions } from '@azure/storage-blob';
import { FerryError } from '../../errors';
import type { ConnectContext } from '../types';
import { Scrubber } from './errors';

export const AUTH_MODES = ['connection-string', 'account-key', 'sas-url'] as const;
export type AuthMode = (typeof AUTH_MODES)[number];

/**
 * What a connection talks to: the account's service client, and a container client when the profile
 * (or a container-scoped SAS URL) fixes one container. `host` names the account in network errors.
 */
export interface AzureClients {
  service: BlobServiceClient;
  fixedContainer: ContainerClient | null;
  host: string;
  scrubber: Scrubber;
  blockSize: number;
  uploadConcurrency: number;
}

/**
 * The SDK retries by itself; its default (4 tries, 4 s doubling) keeps a refused connection waiting about
 * half a minute. The engine retries retryable FerryErrors with its own backoff, so fail sooner here.
 */
const PIPELINE: StoragePipelineOptions = {
  retryOptions: { maxTries: 3, retryDelayInMs: 500, maxRetryDelayInMs: 4000 },
  userAgentOptions: { userAgentPrefix: 'Ferry' },
};

const MiB = 1024 * 1024;

export async function createClients(ctx: ConnectContext): Promise<AzureClients> {
  const o = ctx.profile.options;
  const auth = String(o.auth ?? 'connection-string') as AuthMode;
  if (!AUTH_MODES.includes(auth)) throw invalid(`Unknown Azure authentication "${auth}" (use ${AUTH_MODES.join(', ')})`);
  const blockSize = Math.round(num(o.blockSizeMiB, 8) * MiB);
  // Azure caps a block at 4000 MiB and a blob at 50,000 blocks; below 1 MiB the request overhead dominates.
  if (!(blockSize >= MiB && blockSize <= 4000 * MiB)) throw invalid('Block size must be between 1 and 4000 MiB');
  const uploadConcurrency = Math.round(num(o.uploadConcurrency, 4));
  if (!(uploadConcurrency >= 1 && uploadConcurrency <= 64)) throw invalid('Upload concurrency must be between 1 and 64');
  const container = str(o.container);

  let service: BlobServiceClient;
  let fixed: string | undefined = container;
  let scrubber: Scrubber;
  if (auth === 'connection-string') {
    const cs = await needSecret(ctx, 'connectionString');
    scrubber = new Scrubber([cs, ...secretsInConnectionString(cs)]);
    try {
      service = BlobServiceClient.fromConnectionString(cs, PIPELINE);
    } catch {
      // The SDK's message quotes the connection string; say what is wrong without it.
      throw invalid('The connection string is not valid (expected AccountName=...;AccountKey=... or BlobEndpoint=...;SharedAccessSignature=...)');
    }
  } else if (auth === 'account-key') {
    const accountName = str(o.accountName);
    if (!accountName) throw invalid('Account name is required for account-key authentication');
    const accountKey = await needSecret(ctx, 'accountKey');
    scrubber = new Scrubber([accountKey]);
    let credential: StorageSharedKeyCredential;
    try {
      credential = new StorageSharedKeyCredential(accountName, accountKey);
    } catch {
      throw invalid('The account key is not valid base64');
    }
    service = new BlobServiceClient(endpointUrl(str(o.endpoint) ?? `https://${accountName}.blob.core.windows.net`), credential, PIPELINE);
  } else {
    const sasUrl = await needSecret(ctx, 'sasUrl');
    const query = new URL(sasUrlOrThrow(sasUrl)).searchParams;
    scrubber = new Scrubber([sasUrl, query.toString(), query.get('sig') ?? undefined]);
    const parsed = splitSasUrl(sasUrl);
    if (parsed.container) {
      if (fixed && fixed !== parsed.container) {
        throw invalid(`The SAS URL is for container "${parsed.container}" but the profile names container "${fixed}"`);
      }
      fixed = parsed.container;
    }
    service = new BlobServiceClient(parsed.serviceUrl, new AnonymousCredential(), PIPELINE);
  }

  return {
    service,
    fixedContainer: fixed ? service.getContainerClient(fixed) : null,
    host: new URL(service.url).host,
    scrubber,
    blockSize,
    uploadConcurrency,
  };
}

/**
 * A SAS URL is either for the account ("https://acct.blob.core.windows.net/?sv=...") or for one container
 * ("https://acct.blob.core.windows.net/photos?sv=..."). Emulators and IP endpoints put the account name
 * first in the path ("http://127.0.0.1:10000/devstoreaccount1/photos?sv=...").
 */
export function splitSasUrl(sasUrl: string): { serviceUrl: string; container?: string } {
  const url = new URL(sasUrlOrThrow(sasUrl));
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const accountInPath = isPathStyleHost(url);
  const accountParts = accountInPath ? parts.slice(0, 1) : [];
  const rest = accountInPath ? parts.slice(1) : parts;
  if (rest.length > 1) throw invalid('The SAS URL points inside a container; use an account or container SAS URL');
  const base = `${url.protocol}//${url.host}/${accountParts.map(encodeURIComponent).join('/')}`;
  return { serviceUrl: `${base}${url.search}`, ...(rest[0] ? { container: rest[0] } : {}) };
}

/** The SDK's own rule: IP addresses, localhost and Azurite's default ports put the account in the path. */
function isPathStyleHost(url: URL): boolean {
  const host = url.hostname;
  if (host === 'localhost' || host === 'host.docker.internal' || host.startsWith('[') || /^[\d.]+$/.test(host)) return true;
  const port = Number(url.port);
  return port >= 10000 && port <= 10012;
}

function sasUrlOrThrow(sasUrl: string): string {
  let url: URL;
  try {
    url = new URL(sasUrl);
  } catch {
    throw invalid('The SAS URL is not a valid URL');
  }
  if (!/^https?:$/.test(url.protocol)) throw invalid('The SAS URL must start with https://');
  if (!url.searchParams.get('sig')) throw invalid('The SAS URL has no signature (sig=...): copy the whole URL including its "?sv=..." part');
  return sasUrl;
}

function endpointUrl(endpoint: string): string {
  try {
    const url = new URL(endpoint);
    if (!/^https?:$/.test(url.protocol)) throw new Error('scheme');
    return url.toString().replace(/\/+$/, '');
  } catch {
    throw invalid(`The endpoint "${endpoint}" is not an http(s) URL`);
  }
}

function secretsInConnectionString(cs: string): string[] {
  return cs
    .split(';')
    .map((kv) => kv.split(/=(.*)/s))
    .filter(([k]) => /^(AccountKey|SharedAccessSignature)$/i.test(k?.trim() ?? ''))
    .map(([, v]) => v ?? '');
}

async function needSecret(ctx: ConnectContext, name: string): Promise<string> {
  const value = await ctx.secret(name);
  if (!value) {
    throw new FerryError('SECRET_REQUIRED', `The profile "${ctx.profile.name}" has no ${name} stored`, {
      detail: { profileId: ctx.profile.id, name },
    });
  }
  return value.trim();
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === '') return fallback;
  const n = Number(v);
  return Number.isFinite(n) ? n : NaN;
}

function invalid(message: string): FerryError {
  return new FerryError('INVALID_INPUT', message);
}
