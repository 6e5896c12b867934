import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectContext, ConnectorManifest } from '../types';
import type { AzureConnector } from './connector';

// What the app needs without connecting (forms, CLI flags, docs, capabilities). Nothing here may import
// @azure/storage-blob, even transitively: it loads with every command; connect() loads ./open on first use.

export type { AzureConnector } from './connector';

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
  // Ranged GETs on several connections.
  parallelReads: true,
  sharedReads: true,
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
  const { openAzure } = await import('./open');
  return openAzure(ctx, capabilities, tuning);
}
