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
import { basename } from 'node:path';

const OUT = 'out/cli';
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
const START_UP_DEPS = new Set(['zod', 'commander', 'picomatch', 'ssh-config', 'croner', 'cronstrue']);
const result = await build({
  entryPoints: { ferry: 'electron/cli/index.ts' },
  outdir: OUT,
  splitting: true,
  chunkNames: '[name]-[hash]',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  metafile: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})].filter((d) => !START_UP_DEPS.has(d)),
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
