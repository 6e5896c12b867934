import type { OptionSpec } from '../../../../shared/connectors';
import type { OptionValues } from '../../../../shared/profiles';
import { FerryError } from '../../errors';

export const GCS_AUTH = ['service-account-key', 'application-default', 'none'] as const;
export type GcsAuth = (typeof GCS_AUTH)[number];

const MiB = 1024 * 1024;

export const GCS_OPTIONS: OptionSpec[] = [
  {
    name: 'auth',
    label: 'Authentication',
    kind: 'enum',
    required: true,
    default: 'service-account-key',
    choices: [
      { value: 'service-account-key', label: 'Service account key (JSON)' },
      { value: 'application-default', label: 'Application Default Credentials (gcloud, GOOGLE_APPLICATION_CREDENTIALS, metadata server)' },
      { value: 'none', label: 'None (public buckets, emulators)' },
    ],
  },
  {
    name: 'serviceAccountKey',
    label: 'Service account key',
    kind: 'text',
    secret: true,
    required: true,
    help: 'Paste the content of the JSON key file (IAM → Service accounts → Keys). It is kept in the keychain and never written to disk.',
    placeholder: '{ "type": "service_account", "project_id": "...", "private_key": "...", "client_email": "..." }',
    showIf: { option: 'auth', in: ['service-account-key'] },
    implies: { auth: 'service-account-key' },
  },
  {
    name: 'projectId',
    label: 'Project ID',
    kind: 'string',
    help: 'Needed to list and create buckets. Empty: the key\'s project (or the default project of your credentials).',
    placeholder: 'my-project-123',
  },
  {
    name: 'bucket',
    label: 'Bucket',
    kind: 'string',
    help: 'Work inside this one bucket ("/" is its top). Empty: "/" lists the project\'s buckets.',
  },
  {
    name: 'apiEndpoint',
    label: 'API endpoint',
    kind: 'string',
    advanced: true,
    help: 'Only for emulators and private endpoints (Private Service Connect); the default is https://storage.googleapis.com.',
    placeholder: 'http://127.0.0.1:4443',
  },
  {
    name: 'resumableThresholdMiB',
    label: 'Resumable upload from (MiB)',
    kind: 'number',
    default: 8,
    advanced: true,
    help: 'Files at least this large (or of unknown size) use a resumable upload in chunks; smaller ones go in one request.',
  },
  {
    name: 'chunkSizeMiB',
    label: 'Resumable chunk size (MiB)',
    kind: 'number',
    default: 16,
    advanced: true,
    help: 'Bytes sent per request of a resumable upload (held in memory while sent). A failed chunk is retried, not the whole file.',
  },
];

export interface GcsConfig {
  auth: GcsAuth;
  projectId?: string;
  bucket?: string;
  apiEndpoint?: string;
  /** Bytes: from this size on (and for unknown sizes) uploads are resumable. */
  resumableThreshold: number;
  /** Bytes per resumable chunk: a multiple of 256 KiB, as GCS requires. */
  chunkSize: number;
}

function text(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined;
}

function wholeMiB(options: OptionValues, name: string, fallback: number): number {
  const raw = options[name] ?? fallback;
  const n = typeof raw === 'number' ? raw : Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 1024) {
    throw new FerryError('INVALID_INPUT', `${name} must be a whole number of MiB between 1 and 1024 (got ${String(raw)})`, { detail: { option: name } });
  }
  return n * MiB;
}

export function resolveConfig(options: OptionValues): GcsConfig {
  const auth = (text(options.auth) ?? 'service-account-key') as GcsAuth;
  if (!GCS_AUTH.includes(auth)) {
    throw new FerryError('INVALID_INPUT', `Unknown authentication "${auth}": use ${GCS_AUTH.join(', ')}`, { detail: { option: 'auth' } });
  }
  let apiEndpoint = text(options.apiEndpoint);
  if (apiEndpoint) {
    let url: URL;
    try {
      url = new URL(apiEndpoint);
    } catch {
      throw new FerryError('INVALID_INPUT', `The API endpoint "${apiEndpoint}" is not a URL`, { detail: { option: 'apiEndpoint' } });
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new FerryError('INVALID_INPUT', `The API endpoint must start with https:// (or http:// for an emulator)`, { detail: { option: 'apiEndpoint' } });
    }
    // The SDK appends /storage/v1 itself; accept the form rclone uses too.
    apiEndpoint = apiEndpoint.replace(/\/+$/, '').replace(/\/storage\/v1$/, '');
  }
  const bucket = text(options.bucket)?.replace(/^\/+|\/+$/g, '');
  return {
    auth,
    projectId: text(options.projectId),
    bucket: bucket || undefined,
    apiEndpoint,
    resumableThreshold: wholeMiB(options, 'resumableThresholdMiB', 8),
    chunkSize: wholeMiB(options, 'chunkSizeMiB', 16),
  };
}

/** Host for messages: the endpoint's, or Google's. */
export function hostOf(cfg: GcsConfig): string {
  return cfg.apiEndpoint ? new URL(cfg.apiEndpoint).host : 'storage.googleapis.com';
}
