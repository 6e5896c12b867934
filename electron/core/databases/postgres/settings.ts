import { userInfo } from 'node:os';
import type { OptionValues } from '../../../../shared/profiles';
import { FerryError } from '../../errors';

/** libpq's sslmode values Ferry honours ("allow" is taken as "prefer": both try TLS first here). */
export const SSL_MODES = ['disable', 'prefer', 'require', 'verify-ca', 'verify-full'] as const;
export type SslMode = (typeof SSL_MODES)[number];

/** Where each setting came from: the profile, a PG* environment variable, or the default. */
export type Source = 'profile' | `env ${string}` | 'default';

export interface PgSettings {
  host: string;
  port: number;
  database: string;
  user: string;
  sslmode: SslMode;
  caFile?: string;
  connectTimeoutMs: number;
  /** The SFTP profile whose SSH connection carries this one; host and port are then as that server sees them. */
  sshTunnel?: string;
  sources: Record<'host' | 'port' | 'database' | 'user' | 'sslmode', Source>;
}

const invalid = (option: string, message: string) => new FerryError('INVALID_INPUT', message, { detail: { option } });

export function sslModeOf(text: string, from: string): SslMode {
  const m = text.trim().toLowerCase();
  if (m === 'allow') return 'prefer';
  if ((SSL_MODES as readonly string[]).includes(m)) return m as SslMode;
  throw invalid('sslmode', `${from}: sslmode "${text}" is not one of ${SSL_MODES.join(', ')}`);
}

/**
 * A profile's connection settings, as psql resolves them: what the profile sets wins; what it leaves unset
 * comes from PGHOST, PGPORT, PGDATABASE, PGUSER, PGSSLMODE, PGSSLROOTCERT, PGCONNECT_TIMEOUT; then libpq's
 * defaults (localhost, 5432, the OS user, a database named like the user), except sslmode, which is
 * "disable" unless asked for (libpq's "prefer" would pin an unknown certificate without being asked).
 * The password is not here: see password.ts.
 */
export function resolveSettings(o: OptionValues, env: NodeJS.ProcessEnv = process.env): PgSettings {
  const sources = {} as PgSettings['sources'];
  const pick = (key: keyof PgSettings['sources'], envName: string, fallback: () => string): string => {
    const own = o[key];
    if (own !== undefined && own !== '') return (sources[key] = 'profile'), String(own);
    const fromEnv = env[envName];
    if (fromEnv) return (sources[key] = `env ${envName}`), fromEnv;
    return (sources[key] = 'default'), fallback();
  };
  const host = pick('host', 'PGHOST', () => 'localhost').trim();
  const portText = pick('port', 'PGPORT', () => '5432');
  const port = Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw invalid('port', `The port must be a number from 1 to 65535 (got "${portText}" from ${sources.port}).`);
  const user = pick('user', 'PGUSER', () => osUser());
  const database = pick('database', 'PGDATABASE', () => user);
  const sslmode = sslModeOf(pick('sslmode', 'PGSSLMODE', () => 'disable'), sources.sslmode === 'profile' ? 'The profile' : sources.sslmode);
  const caFile = o.caFile !== undefined && o.caFile !== '' ? String(o.caFile) : env.PGSSLROOTCERT && env.PGSSLROOTCERT !== 'system' ? env.PGSSLROOTCERT : undefined;
  const timeoutText = o.connectTimeoutSec ?? env.PGCONNECT_TIMEOUT ?? 15;
  const timeout = Number(timeoutText);
  if (!(timeout > 0)) throw invalid('connectTimeoutSec', `The connect timeout must be a positive number of seconds (got "${timeoutText}").`);
  const sshTunnel = typeof o.sshTunnel === 'string' && o.sshTunnel.trim() ? o.sshTunnel.trim() : undefined;
  if (!host) throw invalid('host', 'A PostgreSQL profile needs a host (or PGHOST).');
  if (!user) throw invalid('user', 'A PostgreSQL profile needs a user (or PGUSER).');
  return { host, port, database, user, sslmode, caFile, connectTimeoutMs: timeout * 1000, sshTunnel, sources };
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
