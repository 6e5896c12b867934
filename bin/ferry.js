#!/usr/bin/env node
// The `ferry` command: runs the bundled CLI (npm run build makes out/cli/ferry.js).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

// The AWS SDK is pinned to a release that supports Node 20 (see package.json); its Node 22 notice is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const bundle = new URL('../out/cli/ferry.js', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('ferry: not built yet. Run: npm run build\n');
  process.exit(1);
}
await import(bundle.href);
