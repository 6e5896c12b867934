import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';
import { createClients } from './client';
import { AzureConnector } from './connector';
import { AzureSession } from './session';

export { AzureConnector } from './connector';

const capabilities: Capabilities = {
  rangedRead: true,
  serverSideCopy: true,
  // Copy + delete: not atomic, and a folder rename costs one copy per blob (see copy.ts).
  rename: true,
  atomicRename: false,
  atomicWrite: true,
  resumableWrite: false,
  multipartWrite: true,
  hashes: ['md5'],
  // Ferry stores the source's time as metadata (ms); a blob written by another tool only has Last-Modified (1 s).
  modTime: { settable: true, precisionMs: 1000 },
  emptyDirs: false,
  bucketBased: true,
  caseInsensitive: false,
  // Containers are deleted server-side; a folder's blobs go in parallel after one flat listing.
  purge: true,
  maxConnections: 16,
};

export const azureManifest: ConnectorManifest = {
  type: 'azure',
  label: 'Azure Blob Storage',
  description: 'Containers and blobs in an Azure Storage account (or Azurite). Containers are the top-level folders.',
  capabilities,
  atomicityNote:
    'Files are written as block blobs: blocks are staged (each checked by Azure against its MD5) and become visible ' +
    'only when the block list is committed, all at once. A failed or cancelled write leaves the previous file untouched ' +
    'and no partial file; uncommitted blocks are discarded by Azure after a week.',
  options: [
    {
      name: 'auth',
      label: 'Authentication',
      kind: 'enum',
      required: true,
      default: 'connection-string',
      choices: [
        { value: 'connection-string', label: 'Connection string' },
        { value: 'account-key', label: 'Account name and key' },
        { value: 'sas-url', label: 'SAS URL' },
      ],
    },
    {
      name: 'connectionString',
      label: 'Connection string',
      kind: 'secret',
      secret: true,
      required: true,
      help: 'From the portal: Storage account → Access keys. Holds the account key, so it is kept in the keychain.',
      placeholder: 'DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net',
      showIf: { option: 'auth', in: ['connection-string'] },
      implies: { auth: 'connection-string' },
    },
    {
      name: 'accountName',
      label: 'Account name',
      kind: 'string',
      required: true,
      placeholder: 'mystorageaccount',
      showIf: { option: 'auth', in: ['account-key'] },
    },
    {
      name: 'accountKey',
      label: 'Account key',
      kind: 'secret',
      secret: true,
      required: true,
      showIf: { option: 'auth', in: ['account-key'] },
      implies: { auth: 'account-key' },
    },
    {
      name: 'sasUrl',
      label: 'SAS URL',
      kind: 'secret',
      secret: true,
      required: true,
      help: 'An account or container SAS URL, including its "?sv=...&sig=..." part. It is a credential: kept in the keychain.',
      placeholder: 'https://mystorageaccount.blob.core.windows.net/?sv=...&sig=...',
      showIf: { option: 'auth', in: ['sas-url'] },
      implies: { auth: 'sas-url' },
    },
    {
      name: 'endpoint',
      label: 'Blob endpoint',
      kind: 'string',
      help: 'Only for Azurite, sovereign clouds or custom domains; the default is https://ACCOUNT.blob.core.windows.net.',
      placeholder: 'http://127.0.0.1:10000/devstoreaccount1',
      showIf: { option: 'auth', in: ['account-key'] },
    },
    {
      name: 'container',
      label: 'Container',
      kind: 'string',
      help: 'Work inside this one container ("/" is its top). Empty: "/" lists the account\'s containers.',
    },
    {
      name: 'blockSizeMiB',
      label: 'Block size (MiB)',
      kind: 'number',
      default: 8,
      advanced: true,
      help: 'Files larger than this are uploaded in blocks of this size, several at once.',
    },
    {
      name: 'uploadConcurrency',
      label: 'Blocks uploaded at once (per file)',
      kind: 'number',
      default: 4,
      advanced: true,
    },
  ],

  connect: (ctx: ConnectContext) => connectAzure(ctx),
};

/** Settings that are not profile options: tests use a small page so listings span several pages. */
export interface AzureTuning {
  listPageSize?: number;
}

export async function connectAzure(ctx: ConnectContext, tuning: AzureTuning = {}): Promise<AzureConnector> {
  const clients = await createClients(ctx);
  const session = new AzureSession(clients, ctx.log, tuning.listPageSize);
  await verifyAccess(session, ctx.signal);
  return new AzureConnector(session, capabilities);
}

/**
 * One cheap request so that wrong credentials fail at connect (AUTH_FAILED), not at the first listing:
 * the first blob of the fixed container, else the first container of the account. (A GET, not a HEAD:
 * only a response body tells refused credentials from a missing permission.)
 */
async function verifyAccess(s: AzureSession, signal?: AbortSignal): Promise<void> {
  const fixed = s.clients.fixedContainer;
  try {
    if (fixed) await fixed.listBlobsFlat({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
    else await s.clients.service.listContainers({ abortSignal: signal }).byPage({ maxPageSize: 1 }).next();
  } catch (e) {
    const mapped = s.fail(e, fixed ? `container ${fixed.containerName}` : undefined);
    // A SAS may allow writing without listing: only refused credentials (or a missing container) stop here.
    if (mapped.code === 'PERMISSION_DENIED') return;
    throw mapped;
  }
}
