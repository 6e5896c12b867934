// `npm start`: the desktop app when Electron's binary is installed; otherwise `ferry serve` for a browser
// (machines where Electron cannot be downloaded, or without a display).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';

const require = createRequire(import.meta.url);
let electronBinary = null;
try {
  const dir = join(require.resolve('electron/package.json'), '..');
  const rel = existsSync(join(dir, 'path.txt')) ? readFileSync(join(dir, 'path.txt'), 'utf8').trim() : null;
  if (rel && existsSync(join(dir, 'dist', rel))) electronBinary = join(dir, 'dist', rel);
} catch {
  /* electron not installed */
}
const hasDisplay = process.platform !== 'linux' || !!process.env.DISPLAY || !!process.env.WAYLAND_DISPLAY;

const run = (cmd, args) => spawn(cmd, args, { stdio: 'inherit' }).on('exit', (c) => process.exit(c ?? 0));
if (electronBinary && hasDisplay && !process.argv.includes('--serve')) {
  run(electronBinary, ['.']);
} else {
  console.log(electronBinary ? 'No display: starting `ferry serve` instead of the desktop window.' : 'Electron is not installed here: starting `ferry serve` for a browser.');
  run(process.execPath, ['bin/ferry.js', 'serve', ...process.argv.slice(2).filter((a) => a !== '--serve')]);
}
