#!/usr/bin/env node
// The `ferry` command: runs the bundled CLI (npm run build makes out/cli/ferry.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../out/cli/ferry.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('ferry: not built yet. Run: npm run build\n');
  process.exit(1);
}
await import(bundle.href);
