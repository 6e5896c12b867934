import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { supervise } from '../support/child-server';
import { freePort } from '../support/ports';

/**
 * Azurite's blob service (npm `azurite`), in memory, on a free 127.0.0.1 port.
 * `--location` cannot be combined with in-memory mode, and Azurite still writes its debug/extent files
 * into the working directory, so it runs from a scratch temp folder that stop() removes.
 */
export const name = 'azure';

/** Azurite's fixed development account and key (public, documented by Microsoft; not a secret). */
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

export interface AzureServerInfo {
  blobEndpoint: string;
  accountName: string;
  accountKey: string;
  connectionString: string;
  [k: string]: unknown;
}

export async function start(): Promise<{ info: AzureServerInfo; stop(): Promise<void> }> {
  const port = await freePort();
  const cwd = mkdtempSync(join(tmpdir(), 'ferry-azurite-'));
  const bin = join(import.meta.dirname, '..', '..', 'node_modules', '.bin', 'azurite-blob');
  // detached: its own process group, so stop() can signal Azurite and anything it spawned.
  const child = spawn(
    bin,
    [
      '--blobHost', '127.0.0.1', '--blobPort', String(port),
      '--inMemoryPersistence', '--disableTelemetry', '--skipApiVersionCheck', '--silent',
    ],
    { cwd, stdio: ['ignore', 'ignore', 'pipe'], detached: true },
  );
  const stop = await supervise(child, { label: 'azurite-blob', port, scratch: cwd });

  const blobEndpoint = `http://127.0.0.1:${port}/${ACCOUNT}`;
  return {
    info: {
      blobEndpoint,
      accountName: ACCOUNT,
      accountKey: KEY,
      connectionString: `DefaultEndpointsProtocol=http;AccountName=${ACCOUNT};AccountKey=${KEY};BlobEndpoint=${blobEndpoint};`,
    },
    stop,
  };
}
