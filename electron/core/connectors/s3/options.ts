import type { OptionSpec } from '../../../../shared/connectors';
import type { OptionValues } from '../../../../shared/profiles';
import { FerryError } from '../../errors';
import { PRESETS, PROVIDERS, type Provider } from './providers';

/** The profile options: the form, the CLI flags and the docs are generated from this list. */
export const S3_OPTIONS: OptionSpec[] = [
  {
    name: 'provider',
    label: 'Provider',
    kind: 'enum',
    default: 'aws',
    choices: PROVIDERS.map((p) => ({ value: p, label: PRESETS[p].label })),
    help: 'Fills sensible defaults (endpoint, path-style, region) for this service.',
  },
  { name: 'region', label: 'Region', kind: 'string', placeholder: 'us-east-1', help: 'Empty: the provider default (AWS: us-east-1; with an AWS profile, its region).' },
  {
    name: 'endpoint',
    label: 'Endpoint URL',
    kind: 'string',
    placeholder: 'https://s3.example.com',
    help:
      'The S3 API URL of an S3-compatible service. MinIO: http://HOST:9000; R2: https://ACCOUNT_ID.r2.cloudflarestorage.com; ' +
      'Wasabi and B2: empty derives it from the region (https://s3.REGION.wasabisys.com, https://s3.REGION.backblazeb2.com). ' +
      'AWS: empty, or a VPC/FIPS endpoint.',
  },
  {
    name: 'pathStyle',
    label: 'Path-style URLs',
    kind: 'boolean',
    help: 'Put the bucket in the URL path (host/bucket/key) instead of the host name. Unset: the provider default (on for MinIO, R2, Ceph, other).',
    advanced: true,
  },
  {
    name: 'auth',
    label: 'Credentials',
    kind: 'enum',
    default: 'keys',
    choices: [
      { value: 'keys', label: 'Access key and secret' },
      { value: 'profile', label: 'Named AWS profile (~/.aws/config)' },
      { value: 'default-chain', label: 'AWS default chain (environment, ~/.aws, SSO, instance role)' },
    ],
  },
  { name: 'accessKeyId', label: 'Access key ID', kind: 'string', required: true, showIf: { option: 'auth', in: ['keys'] } },
  { name: 'secretAccessKey', label: 'Secret access key', kind: 'secret', secret: true, required: true, showIf: { option: 'auth', in: ['keys'] } },
  {
    name: 'sessionToken',
    label: 'Session token',
    kind: 'secret',
    secret: true,
    help: 'Only for temporary credentials (STS).',
    advanced: true,
    showIf: { option: 'auth', in: ['keys'] },
  },
  {
    name: 'awsProfile',
    label: 'AWS profile',
    kind: 'string',
    required: true,
    placeholder: 'default',
    help: 'A profile from ~/.aws/config and ~/.aws/credentials (SSO, credential_process and assume-role work).',
    showIf: { option: 'auth', in: ['profile'] },
    implies: { auth: 'profile' },
  },
  { name: 'bucket', label: 'Bucket', kind: 'string', help: 'Optional: one fixed bucket, shown as "/". Empty: "/" lists your buckets.' },
  {
    name: 'listVersion',
    label: 'Listing API',
    kind: 'enum',
    default: '2',
    choices: [
      { value: '2', label: 'ListObjectsV2 (current)' },
      { value: '1', label: 'ListObjects v1 (old servers)' },
    ],
    advanced: true,
  },
  { name: 'partSizeMiB', label: 'Part size (MiB)', kind: 'number', default: 8, cliFlag: 'part-size-mib', help: 'Files above this are uploaded in parts (5 MiB at least).', advanced: true },
  { name: 'uploadConcurrency', label: 'Parts in parallel', kind: 'number', default: 4, help: 'Parts of one file sent at once (memory: this × part size).', advanced: true },
  { name: 'listPageSize', label: 'Listing page size', kind: 'number', default: 1000, help: 'Keys per listing request (1-1000).', advanced: true },
];

export interface S3Config {
  provider: Provider;
  region: string | undefined;
  endpoint: string | undefined;
  pathStyle: boolean;
  auth: 'keys' | 'profile' | 'default-chain';
  accessKeyId: string | undefined;
  awsProfile: string | undefined;
  bucket: string | undefined;
  listVersion: 1 | 2;
  partSize: number;
  uploadConcurrency: number;
  listPageSize: number;
}

const MiB = 1024 * 1024;

/** The profile's option values checked and completed with the provider's defaults. */
export function resolveConfig(o: OptionValues): S3Config {
  const provider = str(o.provider) ?? 'aws';
  if (!(PROVIDERS as readonly string[]).includes(provider)) invalid(`Unknown S3 provider "${provider}" (known: ${PROVIDERS.join(', ')})`);
  const preset = PRESETS[provider as Provider];
  const auth = str(o.auth) ?? 'keys';
  if (auth !== 'keys' && auth !== 'profile' && auth !== 'default-chain') invalid(`Unknown credentials kind "${auth}" (keys, profile or default-chain)`);
  // With a named profile the region may come from ~/.aws/config, so no preset region is forced there.
  const region = str(o.region) ?? (auth === 'keys' || provider !== 'aws' ? preset.region : undefined);
  let endpoint = str(o.endpoint) ?? (preset.endpointFor ? preset.endpointFor(region ?? preset.region) : undefined);
  if (!endpoint && preset.endpointRequired) invalid(`${preset.label} needs an endpoint URL (e.g. ${preset.endpointHint})`);
  if (endpoint) {
    if (!/^[a-z]+:\/\//i.test(endpoint)) endpoint = `https://${endpoint}`;
    try {
      new URL(endpoint);
    } catch {
      invalid(`The endpoint "${endpoint}" is not a URL`);
    }
  }
  const accessKeyId = str(o.accessKeyId);
  if (auth === 'keys' && !accessKeyId) invalid('An access key ID is needed (or choose an AWS profile or the default chain)');
  const awsProfile = str(o.awsProfile);
  if (auth === 'profile' && !awsProfile) invalid('Name the AWS profile to use');
  const bucket = str(o.bucket)?.replace(/^\/+|\/+$/g, '');
  if (bucket?.includes('/')) invalid(`The bucket option takes a bucket name only, not a path: "${bucket}"`);
  const listVersion = String(o.listVersion ?? '2');
  if (listVersion !== '1' && listVersion !== '2') invalid(`listVersion is 1 or 2, not "${listVersion}"`);
  const partSizeMiB = num(o.partSizeMiB, 8);
  if (partSizeMiB < 5 || partSizeMiB > 5120) invalid('The part size is between 5 and 5120 MiB (S3 limits)');
  const uploadConcurrency = Math.floor(num(o.uploadConcurrency, 4));
  if (uploadConcurrency < 1 || uploadConcurrency > 64) invalid('Parts in parallel is between 1 and 64');
  const listPageSize = Math.floor(num(o.listPageSize, 1000));
  if (listPageSize < 1 || listPageSize > 1000) invalid('The listing page size is between 1 and 1000');
  return {
    provider: provider as Provider,
    region,
    endpoint,
    pathStyle: typeof o.pathStyle === 'boolean' ? o.pathStyle : o.pathStyle === 'true' ? true : o.pathStyle === 'false' ? false : preset.pathStyle,
    auth,
    accessKeyId,
    awsProfile,
    bucket: bucket || undefined,
    listVersion: listVersion === '1' ? 1 : 2,
    partSize: Math.round(partSizeMiB * MiB),
    uploadConcurrency,
    listPageSize,
  };
}

function str(v: unknown): string | undefined {
  if (v === undefined || v === null) return undefined;
  const s = String(v).trim();
  return s === '' ? undefined : s;
}

function num(v: unknown, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n)) invalid(`"${String(v)}" is not a number`);
  return n;
}

function invalid(message: string): never {
  throw new FerryError('INVALID_INPUT', message);
}
