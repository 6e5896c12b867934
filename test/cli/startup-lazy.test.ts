import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ferry } from '../support/cli';
import { tempDir } from '../support/temp';
import { freePort } from '../support/ports';

/** The connector SDKs the CLI must not load until a profile of that type connects (each costs start-up time and memory). */
/** Bundled into out/cli at build time (scripts/build-cli.mjs, START_UP_DEPS): never loaded from node_modules. */
const BUNDLED = ['zod', 'commander', 'picomatch', 'ssh-config'];
/** Loaded on first use only (a schedule read, a single-byte encoding): required lazily from node_modules. */
const ON_DEMAND = ['croner', 'cronstrue', 'iconv-lite'];
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
      const chunk = /\\/out\\/cli\\/([a-z]+)-[A-Z0-9]+\\.js$/.exec(r.url);
      if (chunk) process.stderr.write('[chunk] ' + chunk[1] + '\\n');
      return r;
    }\n`,
  );
  // At exit: the CommonJS packages required (the resolve hook sees only imports), and whether zod ran (its
  // bundled copy sets a global when it loads).
  writeFileSync(
    register,
    `import { createRequire, register } from 'node:module';
    register(${JSON.stringify(pathToFileURL(hooks).href)});
    const cache = createRequire(import.meta.url).cache;
    process.on('exit', () => {
      for (const k of Object.keys(cache)) {
        const m = /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(k);
        if (m) process.stderr.write('[loaded] ' + m[1] + '\\n');
      }
      if (globalThis.__zod_globalConfig) process.stderr.write('[zod]\\n');
    });\n`,
  );
  const run = (args: string[]) => ferry(args, { home: join(tmp.path, 'home'), env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` } });
  const loaded = (stderr: string) => new Set([...stderr.matchAll(/^\[loaded\] (.+)$/gm)].map((m) => m[1]));
  afterAll(() => tmp.cleanup());

  it.each([
    ['profile list', ['profile', 'list']],
    ['ls of a local folder', ['ls', tmp.path]],
  ])('%s', async (_label, args) => {
    const r = await run(args);
    expect(r.code, r.stderr).toBe(0);
    const pkgs = loaded(r.stderr);
    // The hook does see packages: the store's SQLite driver (native, so never bundled) is one both commands load.
    expect(pkgs.has('better-sqlite3')).toBe(true);
    expect(SDKS.filter((s) => pkgs.has(s))).toEqual([]);
    // The pure-JS packages every command needs are bundled into the CLI (scripts/build-cli.mjs): zod alone
    // was about 100 files to open and scan at each start.
    expect(BUNDLED.filter((s) => pkgs.has(s))).toEqual([]);
    // Neither command reads a secret: the keychain's native module waits for the first one (secrets/vault.ts).
    expect(pkgs.has('@napi-rs/keyring')).toBe(false);
    expect(ON_DEMAND.filter((s) => pkgs.has(s))).toEqual([]);
    // Neither checks a payload: the schemas, and zod with them, load with the first job (transfer/job-spec.ts).
    expect(r.stderr).not.toMatch(/^\[zod\]$/m);
  });

  it('a job loads the schemas that check its spec; a schedule loads the cron packages', async () => {
    const src = join(tmp.path, 'src.txt');
    writeFileSync(src, 'x');
    const cp = await run(['copy', src, join(tmp.path, 'dst.txt')]);
    expect(cp.code, cp.stderr).toBe(0);
    expect(cp.stderr).toMatch(/^\[zod\]$/m);
    const task = await run(['task', 'add', 'nightly', '--schedule', '0 6 * * *', '--tz', 'UTC', '--', 'copy', src, join(tmp.path, 'nightly.txt')]);
    expect(task.code, task.stderr).toBe(0);
    expect(['croner', 'cronstrue'].filter((s) => loaded(task.stderr).has(s))).toEqual(['croner', 'cronstrue']);
  });

  it('a Parquet preview reads with the bundled hyparquet and does not load the Parquet writer', async () => {
    const csv = join(tmp.path, 'p.csv');
    const parquet = join(tmp.path, 'p.parquet');
    writeFileSync(csv, 'id,name\n1,a\n2,b\n');
    expect((await run(['convert', csv, parquet])).code).toBe(0);
    const r = await run(['preview', parquet, '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).rows).toEqual([[1, 'a'], [2, 'b']]);
    const pkgs = loaded(r.stderr);
    // Bundled into the format chunks (scripts/build-cli.mjs FORMAT_DEPS): no module of theirs resolved one by one.
    expect(['hyparquet', 'hyparquet-writer', 'hyparquet-compressors'].filter((s) => pkgs.has(s))).toEqual([]);
    const chunks = new Set([...r.stderr.matchAll(/^\[chunk\] (.+)$/gm)].map((m) => m[1]));
    expect(chunks.has('parquet')).toBe(true);
    expect(chunks.has('writer')).toBe(false);
  });

  it.each([
    ['ftp', ['--type', 'ftp', '--tls', 'none'], ['basic-ftp']],
    ['mysql', ['--type', 'mysql', '--database', 'shop'], ['mysql2']],
  ])('a %s command takes its protocol library from its connector chunk, not node_modules', async (type, flags, libs) => {
    // No server on the port: the command loads the connector and fails to connect, which is all this needs.
    const port = await freePort();
    const home = join(tmp.path, `home-${type}`);
    const add = await ferry(['profile', 'add', type, ...flags, '--host', '127.0.0.1', '--port', String(port), '--user', 'ana', '--password-stdin'], { home, stdin: 'secret\n' });
    expect(add.code, add.stderr).toBe(0);
    const r = await ferry(['ls', `${type}:`], { home, env: { NODE_OPTIONS: `--import ${pathToFileURL(register).href}` } });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(new RegExp(`127\\.0\\.0\\.1.*${port}|${port}.*127\\.0\\.0\\.1|refused`, 'i'));
    // Bundled into the connector's chunk (scripts/build-cli.mjs CONNECTOR_DEPS): imported from node_modules,
    // file by file through the CommonJS export scanner, basic-ftp was 42 ms of every FTP command, mysql2 105 ms.
    expect(libs.filter((s) => loaded(r.stderr).has(s))).toEqual([]);
  });

  it('--version answers without loading any package', async () => {
    const r = await run(['--version']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim()).toMatch(/^\d+\.\d+\.\d+$/);
    expect([...loaded(r.stderr)]).toEqual([]);
  });
});
