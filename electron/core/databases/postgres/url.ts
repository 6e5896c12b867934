import type { OptionValues } from '../../../../shared/profiles';
import { FerryError } from '../../errors';
import { sslModeOf } from './settings';

/** Query parameters of a libpq URL and the profile option each one sets. */
const PARAMS: Record<string, string> = {
  host: 'host',
  port: 'port',
  dbname: 'database',
  user: 'user',
  sslmode: 'sslmode',
  sslrootcert: 'caFile',
  connect_timeout: 'connectTimeoutSec',
};

/** A URL for messages: the password (if any) replaced, so a mistyped URL can be shown without leaking it. */
export function redactUrl(text: string): string {
  return text.replace(/^(\w+:\/\/[^:@/?#]*):[^@/?#]*@/, '$1:***@');
}

/**
 * A libpq connection URL (`postgres://user:password@host:port/db?sslmode=require`, or `postgresql://`) as
 * profile options plus the password it carried, which the caller stores in the keychain only: the URL itself
 * is never stored. Percent-escapes are decoded. One host only; unknown parameters are refused by name.
 */
export function parsePostgresUrl(text: string): { options: OptionValues; password?: string } {
  const shown = redactUrl(text.trim());
  const bad = (why: string) => new FerryError('INVALID_INPUT', `The connection URL ${shown} ${why}`, { detail: { option: 'url' } });
  if (!/^postgres(ql)?:\/\//i.test(text.trim())) throw bad('is not a postgres:// or postgresql:// URL');
  let url: URL;
  try {
    url = new URL(text.trim());
  } catch {
    throw bad('cannot be read as a URL');
  }
  if (url.hostname.includes(',') || /,/.test(text.split('/')[2] ?? '')) throw bad('names several hosts; Ferry connects to one');
  const decode = (s: string) => {
    try {
      return decodeURIComponent(s);
    } catch {
      throw bad('has a broken %-escape');
    }
  };
  const options: OptionValues = {};
  if (url.hostname) options.host = decode(url.hostname.replace(/^\[(.*)\]$/, '$1'));
  if (url.port) options.port = Number(url.port);
  if (url.username) options.user = decode(url.username);
  const db = url.pathname.replace(/^\//, '');
  if (db) options.database = decode(db);
  let password = url.password ? decode(url.password) : undefined;
  for (const [key, value] of url.searchParams) {
    if (key === 'password') {
      password = value;
      continue;
    }
    const option = PARAMS[key];
    if (!option) throw bad(`has a parameter Ferry does not know: "${key}" (known: ${[...Object.keys(PARAMS), 'password'].join(', ')})`);
    options[option] = option === 'port' || option === 'connectTimeoutSec' ? Number(value) : option === 'sslmode' ? sslModeOf(value, 'The connection URL') : value;
  }
  return { options, ...(password !== undefined ? { password } : {}) };
}

/**
 * A profile form or `--url` with a URL in it: the URL's settings fill what the form leaves empty (what is
 * set explicitly wins), its password goes to the secrets (unless one is given too), and `url` itself is
 * dropped, so neither it nor its password reach the profile store.
 */
export function expandUrlOption(options: OptionValues, secrets: Record<string, string | null>): { options: OptionValues; secrets: Record<string, string | null> } {
  const { url, ...rest } = options;
  if (url === undefined || url === '') return { options: rest, secrets };
  const parsed = parsePostgresUrl(String(url));
  const merged: OptionValues = { ...parsed.options };
  for (const [k, v] of Object.entries(rest)) if (v !== undefined && v !== '') merged[k] = v;
  const out = { ...secrets };
  if (parsed.password !== undefined && !out.password) out.password = parsed.password;
  return { options: merged, secrets: out };
}
