import { startGcsEmulator } from './gcs-emulator/server';

/**
 * The project's own stand-in of the GCS JSON API (test/servers/gcs-emulator/), in-process on a free
 * 127.0.0.1 port. It is NOT Google Cloud Storage: no GCS emulator runs offline on these machines.
 * Listing pages hold at most 50 entries, so paging is exercised without thousands of objects.
 */
export const name = 'gcs';

export interface GcsServerInfo {
  /** For @google-cloud/storage's `apiEndpoint` (the JSON API is under /storage/v1). */
  apiEndpoint: string;
  projectId: string;
  pageSize: number;
  [k: string]: unknown;
}

export const PAGE_SIZE = 50;

export async function start(): Promise<{ info: GcsServerInfo; stop(): Promise<void> }> {
  const emu = await startGcsEmulator({ maxPageSize: PAGE_SIZE });
  return {
    info: { apiEndpoint: emu.url, projectId: 'ferry-test', pageSize: PAGE_SIZE },
    stop: () => emu.close(),
  };
}
