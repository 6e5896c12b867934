import { FerryError, fromNodeError } from '../../errors';

interface PgError extends Error {
  code?: string;
  severity?: string;
  where?: string;
  detail?: string;
  column?: string;
}

/**
 * A PostgreSQL (SQLSTATE) or socket error as a FerryError, in the server's own words (they name the
 * table, column and COPY line), never with the password: pg never puts it in an error, and neither does Ferry.
 */
export function pgError(e: unknown, where: { host: string; port: number; what?: string }): FerryError {
  if (e instanceof FerryError) return e;
  const err = e as PgError;
  const code = err?.code ?? '';
  const at = `${where.host}:${where.port}`;
  const msg = [where.what, err?.message].filter(Boolean).join(': ');
  const detail = { host: where.host, port: where.port, sqlstate: code || undefined, ...(err?.where ? { where: err.where } : {}) };
  if (/CERT|SELF_SIGNED|UNABLE_TO_|^ERR_TLS|^ERR_SSL/.test(code) || /does not support SSL/.test(err?.message ?? '')) {
    return new FerryError('TLS_ERROR', `${at}: the TLS connection was refused: ${err.message}`, { detail, cause: e });
  }
  if (!/^[0-9A-Z]{5}$/.test(code)) {
    const mapped = fromNodeError(e, { host: where.host, port: where.port });
    if (mapped.code !== 'INTERNAL') return mapped;
    if (/timeout/i.test(err?.message ?? '')) return new FerryError('TIMEOUT', `${at}: ${err.message}`, { detail, cause: e });
    if (/Connection terminated|ECONNRESET|not queryable/i.test(err?.message ?? '')) return new FerryError('CONNECTION_LOST', `${at}: ${err.message}`, { detail, cause: e });
    return mapped;
  }
  if (code === '28P01' || code === '28000') return new FerryError('AUTH_FAILED', `${at}: ${err.message}`, { detail, cause: e });
  if (code === '3D000' || code === '42P01' || code === '3F000') return new FerryError('NOT_FOUND', msg, { detail, cause: e });
  if (code === '42P07') return new FerryError('ALREADY_EXISTS', msg, { detail, cause: e });
  if (code === '42501') return new FerryError('PERMISSION_DENIED', msg, { detail, cause: e });
  if (code === '57014') return new FerryError('CANCELLED', msg, { detail, cause: e });
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03') return new FerryError('CONNECTION_LOST', `${at}: ${err.message}`, { detail, cause: e });
  if (code === '53100' || code === '53200') return new FerryError('QUOTA_EXCEEDED', msg, { detail, cause: e });
  // 22xxx data exceptions, 23xxx constraint violations, 42xxx syntax and undefined columns: what was sent is wrong.
  if (/^(22|23|42)/.test(code)) return new FerryError('INVALID_INPUT', err.where ? `${msg} (${err.where})` : msg, { detail, cause: e });
  return new FerryError('INTERNAL', msg, { detail, cause: e });
}
