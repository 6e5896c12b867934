import type { Capabilities } from '../../../../shared/connectors';
import type { ConnectorManifest } from '../types';
import { LocalConnector } from './local-connector';

export { LocalConnector } from './local-connector';
export { toNativePath, fromNativePath } from './paths';

/**
 * Precision is what ext4, APFS and NTFS keep (1 ms or better); FAT keeps 2 s, which Ferry does not detect.
 * No hashes: the only way to hash a local file is to read it, which the engine does itself when verifying.
 */
const capabilities: Capabilities = {
  rangedRead: true,
  serverSideCopy: true,
  rename: true,
  atomicRename: true,
  atomicWrite: false,
  resumableWrite: true,
  multipartWrite: false,
  hashes: [],
  modTime: { settable: true, precisionMs: 1 },
  emptyDirs: true,
  bucketBased: false,
  caseInsensitive: process.platform === 'darwin' || process.platform === 'win32',
  purge: true,
  maxConnections: 64,
  // A local disk reads one stream as fast as several.
  parallelReads: false,
  sharedReads: true,
};

export const localManifest: ConnectorManifest = {
  type: 'local',
  label: 'This computer',
  description: 'Folders and files on this computer.',
  options: [],
  capabilities,
  atomicityNote: 'Files are written under a temporary name in the destination folder and renamed into place when complete (POSIX rename replaces atomically).',
  async connect() {
    return new LocalConnector(capabilities);
  },
};
