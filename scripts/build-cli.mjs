// Bundles the `ferry` CLI (electron/cli + core + shared) into out/cli/ferry.js for Node.
// Dependencies stay external (node_modules), so native modules load their Node builds.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
await build({
  entryPoints: ['electron/cli/index.ts'],
  outfile: 'out/cli/ferry.js',
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'esm',
  sourcemap: true,
  external: [...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.devDependencies ?? {})],
  logLevel: 'warning',
});
console.log('built out/cli/ferry.js');
