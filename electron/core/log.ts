import type { Logger } from './connectors/types';

/** Log lines to stderr when FERRY_DEBUG is set. Callers pass facts (host, path, code), never secrets. */
export function createLogger(scope = 'ferry', enabled = !!process.env.FERRY_DEBUG): Logger {
  const write = (level: string, msg: string, fields?: Record<string, unknown>) => {
    if (!enabled && level === 'debug') return;
    if (!enabled && level === 'info') return;
    process.stderr.write(`${new Date().toISOString()} ${level} ${scope}: ${msg}${fields ? ' ' + JSON.stringify(fields) : ''}\n`);
  };
  return {
    debug: (m, f) => write('debug', m, f),
    info: (m, f) => write('info', m, f),
    warn: (m, f) => write('warn', m, f),
  };
}
