import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, waitForPort } from '../support/ports';

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
  let stderr = '';
  child.stderr?.on('data', (d) => { stderr += String(d); });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch { /* already gone */ }
      const killed = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 3000))]);
      if (!killed) { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* already gone */ } await exited; }
    }
    rmSync(cwd, { recursive: true, force: true });
  };

  try {
    await Promise.race([
      waitForPort(port, 20000),
      exited.then(() => { throw new Error(`azurite-blob exited before listening: ${stderr.trim()}`); }),
    ]);
  } catch (e) {
    await stop();
    throw e;
  }

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
