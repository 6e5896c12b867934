import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';

/** The connector SDKs the CLI must not load until a profile of that type connects (each costs start-up time and memory). */
const SDKS = ['@duckdb/node-api', '@aws-sdk/client-s3', '@aws-sdk/lib-storage', '@aws-sdk/credential-providers', '@azure/storage-blob', '@google-cloud/storage', 'ssh2', 'basic-ftp'];

/**
 * Every `ferry` command paid for all five SDKs at start-up while the bundle imported them eagerly. A resolve
 * hook in the CLI's own process reports each package it imports; commands that connect nowhere must see none
 * of the SDKs.
 */
describe('ferry start-up loads no connector SDK it does not use', () => {
  const tmp = tempDir('ferry-cli-startup-');
  const hooks = join(tmp.path, 'hooks.mjs');
  const register = join(tmp.path, 'register.mjs');
  writeFileSync(
    hooks,
    `export async function resolve(spec, ctx, next) {
      const r = await next(spec, ctx);
      const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(r.url);
      if (m) process.stderr.write('[loaded] ' + m[1] + '\\n');
      return r;
    }\n`,
  );
  writeFileSync(register, `import { register } from 'node:module';\nregister(${JSON.stringify(pathToFileURL(hooks).href)});\n`);
  const run = (args: string[]) => ferry(args, { home: join(tmp.path, 'home'), env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` } });
  const loaded = (stderr: string) => new Set([...stderr.matchAll(/^\[loaded\] (.+)$/gm)].map((m) => m[1]));
  afterAll(() => tmp.cleanup());

  it.each([
    ['profile list', ['profile', 'list']],
    ['ls of a local folder', ['ls', tmp.path]],
    ['--version', ['--version']],
  ])('%s', async (_label, args) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    const pkgs = loaded(r.stderr);
    // The hook does see packages: the CLI's argument parser is one every command loads.
    expect(pkgs.has('commander')).toBe(true);
    expect(SDKS.filter((s) => pkgs.has(s))).toEqual([]);
  });
});
