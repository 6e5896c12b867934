import { FerryError } from '../../errors';

/**
 * A better-sqlite3 error (SqliteError, with SQLite's extended result code) as a FerryError in SQLite's
 * own words, prefixed with what Ferry was doing and the file.
 */
export function sqliteError(e: unknown, what: string, file: string): FerryError {
  if (e instanceof FerryError) return e;
  const err = e as { code?: string; message?: string };
  const code = String(err?.code ?? '');
  const msg = `${what}: ${err?.message ?? String(e)}`;
  const detail = { file, sqlite: code || undefined };
  if (code === 'SQLITE_NOTADB') return new FerryError('INVALID_INPUT', `${file} is not a SQLite database (${err.message})`, { detail, cause: e });
  if (code === 'SQLITE_CANTOPEN') return new FerryError('NOT_FOUND', `Cannot open the SQLite file ${file}: ${err.message}`, { detail, cause: e });
  if (code.startsWith('SQLITE_READONLY') || code.startsWith('SQLITE_PERM') || code.startsWith('SQLITE_AUTH')) return new FerryError('PERMISSION_DENIED', msg, { detail, cause: e });
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) return new FerryError('CONFLICT', `${msg} (another program is writing ${file})`, { detail, cause: e });
  if (code === 'SQLITE_FULL') return new FerryError('QUOTA_EXCEEDED', msg, { detail, cause: e });
  if (code === 'SQLITE_INTERRUPT') return new FerryError('CANCELLED', msg, { detail, cause: e });
  if (/no such (table|column)/.test(err?.message ?? '')) return new FerryError('NOT_FOUND', msg, { detail, cause: e });
  if (code.startsWith('SQLITE_CONSTRAINT') || code === 'SQLITE_MISMATCH' || code === 'SQLITE_ERROR' || code === 'SQLITE_TOOBIG') {
    return new FerryError('INVALID_INPUT', msg, { detail, cause: e });
  }
  return new FerryError('INTERNAL', msg, { detail, cause: e });
}
