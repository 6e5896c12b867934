import { readFileSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The password file psql reads: PGPASSFILE, else ~/.pgpass (%APPDATA%\postgresql\pgpass.conf on Windows). */
export function pgpassFile(env: NodeJS.ProcessEnv = process.env): string {
  if (env.PGPASSFILE) return env.PGPASSFILE;
  if (process.platform === 'win32') return join(env.APPDATA ?? homedir(), 'postgresql', 'pgpass.conf');
  return join(homedir(), '.pgpass');
}

/** One field of a .pgpass line: "\:" and "\\" are escapes, ":" ends the field. */
function fields(line: string): string[] {
  const out: string[] = [];
  let cur = '';
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '\\' && i + 1 < line.length) cur += line[++i];
    else if (c === ':') {
      out.push(cur);
      cur = '';
    } else cur += c;
  }
  out.push(cur);
  return out;
}

/**
 * The password for this connection from a .pgpass file, as libpq finds it: the first line
 * `host:port:database:user:password` whose fields match ("*" matches anything). On Unix a file that group
 * or others can read is ignored, as psql does (it warns); a missing file is simply no password.
 */
export function pgpassLookup(
  want: { host: string; port: number; database: string; user: string },
  file: string,
  warn: (msg: string) => void = () => {},
): string | undefined {
  let text: string;
  try {
    if (process.platform !== 'win32' && (statSync(file).mode & 0o077) !== 0) {
      warn(`${file} is readable by group or others; like psql, Ferry ignores it (chmod 600 ${file})`);
      return undefined;
    }
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
  const wanted = [want.host, String(want.port), want.database, want.user];
  for (const raw of text.split(/\r?\n/)) {
    if (!raw.trim() || raw.startsWith('#')) continue;
    const f = fields(raw);
    if (f.length < 5) continue;
    if (wanted.every((w, i) => f[i] === '*' || f[i] === w)) return f[4]; // libpq stops at an unescaped ':' too
  }
  return undefined;
}
