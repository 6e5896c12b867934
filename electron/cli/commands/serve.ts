import { Command } from 'commander';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { openCore, type GlobalOptions } from '../context';
import { parseIntFlag } from '../option-flags';

/** out/cli/ferry.js → out/renderer; FERRY_RENDERER_DIR overrides (tests). */
function rendererDir(): string {
  if (process.env.FERRY_RENDERER_DIR) return resolve(process.env.FERRY_RENDERER_DIR);
  const here = dirname(fileURLToPath(import.meta.url));
  for (const c of [join(here, '..', 'renderer'), join(here, '..', '..', 'out', 'renderer'), join(here, '..', '..', '..', 'out', 'renderer')]) {
    if (existsSync(join(c, 'index.html'))) return c;
  }
  return join(here, '..', 'renderer');
}

export function serveCommand(globals: () => GlobalOptions): Command {
  return new Command('serve')
    .description('serve the Ferry UI to a browser on 127.0.0.1 (for machines without a display for Electron)')
    .option('--port <n>', 'port (0 picks a free one)', '7421')
    .action(async (flags: { port: string }) => {
      const port = parseIntFlag('--port', flags.port, 0, 65535);
      const core = openCore(globals(), { startQueue: true, runScheduler: true });
      // Loaded here, not at the top: the HTTP/WebSocket server (ws) is only for this command.
      const { startServer } = await import('../serve/server');
      const srv = await startServer(core, { port, rendererDir: rendererDir() });
      process.stdout.write(`Ferry is serving on ${srv.url}\nOpen that URL in a browser on this machine. Press Ctrl+C to stop.\n`);
      await new Promise<void>((resolveStop) => {
        const stop = () => resolveStop();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await srv.close();
      await core.close();
    });
}
