import { mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface E2EEnv {
  url: string;
  work: string;
  local: string;
  home: string;
  sftpDir: string;
  sshd: { host: string; port: number; user: string; password: string; home: string; hostKeyFingerprints: Record<string, string> };
  s3: { endpoint: string; accessKeyId: string; secretAccessKey: string; region: string };
}

export const env = (): E2EEnv => JSON.parse(process.env.FERRY_E2E ?? '{}');

/** Screenshots a person would look at, kept out of git (e2e/artifacts/). */
export function artifact(name: string): string {
  const dir = join(import.meta.dirname, 'artifacts');
  mkdirSync(dir, { recursive: true });
  return join(dir, name);
}
