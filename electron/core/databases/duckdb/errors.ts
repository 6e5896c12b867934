import { FerryError } from '../../errors';

/** A DuckDB error ("Catalog Error: …", "Conversion Error: …") as a FerryError in DuckDB's words. */
export function duckError(e: unknown, what: string, file: string): FerryError {
  if (e instanceof FerryError) return e;
  const message = (e as Error)?.message ?? String(e);
  const msg = `${what}: ${message}`;
  const detail = { file };
  if (/^Catalog Error: .*does not exist/s.test(message)) return new FerryError('NOT_FOUND', msg, { detail, cause: e });
  if (/Could not set lock|Conflicting lock/.test(message)) return new FerryError('CONFLICT', `${msg} (another program has ${file} open)`, { detail, cause: e });
  if (/^INTERRUPT|Interrupted/.test(message)) return new FerryError('CANCELLED', msg, { detail, cause: e });
  if (/^(Conversion|Constraint|Invalid Input|Binder|Parser|Catalog|Out of Range|Mismatch Type|Not implemented) Error/.test(message) || /^Failed to append: .*(Duplicate key|constraint)/.test(message)) return new FerryError('INVALID_INPUT', msg, { detail, cause: e });
  if (/^IO Error/.test(message) && /not a valid DuckDB database|database file .* is not/i.test(message)) return new FerryError('INVALID_INPUT', `${file} is not a DuckDB database: ${message}`, { detail, cause: e });
  return new FerryError('INTERNAL', msg, { detail, cause: e });
}
