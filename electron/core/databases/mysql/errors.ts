import { FerryError, fromNodeError } from '../../errors';

interface MysqlError extends Error {
  code?: string;
  errno?: number;
  sqlState?: string;
  sqlMessage?: string;
  fatal?: boolean;
}

/** Server errors (by errno) whose meaning Ferry has a code for; everything 22xxx/23xxx/42xxx is INVALID_INPUT. */
const BY_ERRNO: Record<number, FerryError['code']> = {
  1045: 'AUTH_FAILED', // access denied (wrong password or user)
  1698: 'AUTH_FAILED', // access denied (auth plugin)
  1044: 'PERMISSION_DENIED', // no access to the database
  1142: 'PERMISSION_DENIED',
  1143: 'PERMISSION_DENIED',
  1227: 'PERMISSION_DENIED',
  1049: 'NOT_FOUND', // unknown database
  1146: 'NOT_FOUND', // no such table
  1050: 'ALREADY_EXISTS',
  1317: 'CANCELLED', // query interrupted
  1040: 'RATE_LIMITED', // too many connections
  1203: 'RATE_LIMITED',
  1114: 'QUOTA_EXCEEDED', // table full
  1021: 'QUOTA_EXCEEDED', // disk full
};

/**
 * A MySQL/MariaDB (errno, SQLSTATE) or socket error as a FerryError, in the server's own words (they name
 * the table, column and row), never with the password: the server's "Access denied for user 'x'@'h'
 * (using password: YES)" says only whether one was sent.
 */
export function mysqlError(e: unknown, where: { host: string; port: number; what?: string }): FerryError {
  if (e instanceof FerryError) return e;
  const err = e as MysqlError;
  const at = `${where.host}:${where.port}`;
  const text = err?.sqlMessage ?? err?.message ?? String(e);
  const msg = [where.what, text].filter(Boolean).join(': ');
  const detail = { host: where.host, port: where.port, errno: err?.errno, sqlstate: err?.sqlState };
  const mapped = err?.errno && err.sqlState ? BY_ERRNO[err.errno] : undefined;
  if (mapped === 'AUTH_FAILED') return new FerryError(mapped, `${at}: ${text}`, { detail, cause: e });
  if (mapped) return new FerryError(mapped, msg, { detail, cause: e, retryable: mapped === 'RATE_LIMITED' });
  if (err?.sqlState && /^(22|23|42|HY)/.test(err.sqlState)) return new FerryError('INVALID_INPUT', msg, { detail, cause: e });
  const code = err?.code ?? '';
  if (/^(PROTOCOL_CONNECTION_LOST|PROTOCOL_SEQUENCE_TIMEOUT|ER_SERVER_SHUTDOWN|ER_CONNECTION_KILLED|EPIPE|ECONNRESET)$/.test(code) || err?.errno === 2013 || err?.errno === 2006) {
    return new FerryError('CONNECTION_LOST', `${at}: ${text}`, { detail, cause: e });
  }
  if (code === 'HANDSHAKE_NO_SSL_SUPPORT' || /SSL|TLS|certificate/i.test(text)) return new FerryError('TLS_ERROR', `${at}: ${text}`, { detail, cause: e });
  const node = fromNodeError(e, { host: where.host, port: where.port });
  if (node.code !== 'INTERNAL') return node;
  if (code === 'ETIMEDOUT' || /timeout/i.test(text)) return new FerryError('TIMEOUT', `${at}: ${text}`, { detail, cause: e });
  return new FerryError('INTERNAL', msg, { detail, cause: e });
}
