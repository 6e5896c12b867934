import { ERROR_TITLES, RETRYABLE_CODES, type ErrorCode } from '../../shared/error-codes';
import type { ErrorData } from '../../shared/errors';

/**
 * The one error type the core throws. Connectors map their SDK's errors into it (see each connector's
 * errors.ts); the API turns it into ErrorData. `message` is plain words and never contains a secret.
 */
export class FerryError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly detail?: Record<string, unknown>;

  constructor(code: ErrorCode, message?: string, opts: { detail?: Record<string, unknown>; retryable?: boolean; cause?: unknown } = {}) {
    super(message ?? ERROR_TITLES[code], { cause: opts.cause });
    this.name = 'FerryError';
    this.code = code;
    this.retryable = opts.retryable ?? RETRYABLE_CODES.has(code);
    this.detail = opts.detail;
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message, retryable: this.retryable, ...(this.detail ? { detail: this.detail } : {}) };
  }
}

export function isFerryError(e: unknown, code?: ErrorCode): e is FerryError {
  return e instanceof FerryError && (code === undefined || e.code === code);
}

/** Maps Node's system error codes (local fs, sockets) into Ferry's codes; other errors become INTERNAL. */
export function fromNodeError(e: unknown, context: { path?: string; host?: string; port?: number } = {}): FerryError {
  if (e instanceof FerryError) return e;
  const err = e as NodeJS.ErrnoException;
  const where = context.path ?? (context.host ? `${context.host}${context.port ? ':' + context.port : ''}` : '');
  const detail = { ...context, syscall: err?.syscall, errno: err?.code };
  const msg = (title: string) => (where ? `${title}: ${where}` : title);
  switch (err?.code) {
    case 'ENOENT':
      return new FerryError('NOT_FOUND', msg('Not found'), { detail, cause: e });
    case 'EEXIST':
      return new FerryError('ALREADY_EXISTS', msg('Already exists'), { detail, cause: e });
    case 'ENOTDIR':
      return new FerryError('NOT_A_DIRECTORY', msg('Not a folder'), { detail, cause: e });
    case 'EISDIR':
      return new FerryError('IS_A_DIRECTORY', msg('Is a folder'), { detail, cause: e });
    case 'ENOTEMPTY':
      return new FerryError('NOT_EMPTY', msg('Folder not empty'), { detail, cause: e });
    case 'EACCES':
    case 'EPERM':
    case 'EROFS':
      return new FerryError('PERMISSION_DENIED', msg('Permission denied'), { detail, cause: e });
    case 'ENOSPC':
    case 'EDQUOT':
      return new FerryError('QUOTA_EXCEEDED', msg('Disk full or quota exceeded'), { detail, cause: e });
    case 'ENAMETOOLONG':
    case 'EINVAL':
    case 'EILSEQ':
      return new FerryError('INVALID_NAME', msg('The file system cannot hold this name'), { detail, cause: e });
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new FerryError('HOST_NOT_FOUND', msg('Host not found (DNS lookup failed)'), { detail, cause: e, retryable: err.code === 'EAI_AGAIN' });
    case 'ECONNREFUSED':
      return new FerryError('CONNECTION_REFUSED', msg('Connection refused'), { detail, cause: e });
    case 'ETIMEDOUT':
      return new FerryError('TIMEOUT', msg('Timed out'), { detail, cause: e });
    case 'ECONNRESET':
    case 'EPIPE':
    case 'ECONNABORTED':
    case 'EHOSTUNREACH':
    case 'ENETUNREACH':
      return new FerryError('CONNECTION_LOST', msg('Connection lost'), { detail, cause: e });
    case 'ABORT_ERR':
      return new FerryError('CANCELLED', 'Cancelled', { cause: e });
    default:
      return new FerryError('INTERNAL', err?.message ? String(err.message) : String(e), { detail, cause: e });
  }
}

/** Any thrown value as ErrorData, for the API boundary. */
export function toErrorData(e: unknown): ErrorData {
  return (e instanceof FerryError ? e : fromNodeError(e)).toData();
}

/**
 * An error as one line for people: the code's title, then the message, unless the message already says
 * what the title says ("Not found: /k1" stays "Not found: /k1", never "Not found: Not found: /k1").
 * Connectors write messages that stand on their own ("Not found: s3box/k1", "Could not read … : not
 * found …"), so the title is added only where it tells something the message does not.
 */
export function describeError(data: Pick<ErrorData, 'code' | 'message'>): string {
  const title = ERROR_TITLES[data.code] ?? 'Error';
  const message = data.message.trim();
  if (!message) return title;
  // "Host not found (DNS)" is said by "Host not found (DNS lookup failed): …": compare without the aside.
  // A title of two alternatives ("Quota exceeded or disk full") is said by a message naming either.
  const gists = title.replace(/\s*\(.*\)\s*$/, '').trim().split(/ or /i);
  const says = (gist: string) =>
    new RegExp(`(^|[^\\p{L}\\p{N}])${gist.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\p{L}\\p{N}])`, 'iu').test(message);
  return gists.some(says) ? message : `${title}: ${message}`;
}
