import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

/**
 * Starts every real server in test/servers/*.ts once per run, on free 127.0.0.1 ports, and hands their
 * connection facts to the tests (inject('servers')). Each module exports `name` and `start()`.
 * FERRY_TEST_SERVERS=sshd,s3 limits which start (for a quick local loop).
 */
export interface ServerModule {
  name: string;
  start(): Promise<{ info: Record<string, unknown>; stop(): Promise<void> }>;
}

declare module 'vitest' {
  export interface ProvidedContext {
    servers: Record<string, Record<string, unknown>>;
  }
}

export default async function setup(project: TestProject) {
  const dir = join(import.meta.dirname, '..', 'servers');
  const wanted = process.env.FERRY_TEST_SERVERS?.split(',').map((s) => s.trim());
  const files = readdirSync(dir).filter((f) => f.endsWith('.ts') && !f.endsWith('.test.ts'));
  const started: Array<{ name: string; stop(): Promise<void> }> = [];
  const servers: Record<string, Record<string, unknown>> = {};
  await Promise.all(
    files.map(async (f) => {
      const mod = (await import(join(dir, f))) as ServerModule;
      if (!mod.name || !mod.start) return;
      if (wanted && !wanted.includes(mod.name)) return;
      const s = await mod.start();
      servers[mod.name] = s.info;
      started.push({ name: mod.name, stop: s.stop });
    }),
  );
  project.provide('servers', servers);
  return async () => {
    await Promise.all(started.map((s) => s.stop().catch((e) => console.error(`stopping ${s.name}:`, e))));
  };
}
