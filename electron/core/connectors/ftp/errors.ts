import { FTPError } from 'basic-ftp';
import { FerryError, fromNodeError } from '../../errors';

/** Where a failure happened, for messages and detail. Never holds a secret. */
export interface FtpWhere {
  host: string;
  port: number;
  path?: string;
  /** What Ferry was doing, in plain words ("list", "upload to", "log in as ferry"). */
  action?: string;
  /** Still setting up the connection (TLS failures then mean TLS_ERROR rather than a broken session). */
  connecting?: boolean;
}

/** The FTP reply code of a server's refusal, or undefined for other errors. */
export function replyCode(e: unknown): number | undefined {
  return e instanceof FTPError ? e.code : undefined;
}

/** Error code basic-ftp's TLS guard and our trust check attach to a TLS problem we raise ourselves. */
export const TLS_MISMATCH = 'ERR_FERRY_TLS_MISMATCH';

/**
 * Maps what basic-ftp throws into FerryError: FTP reply codes (FTPError), socket errors (Node codes),
 * and basic-ftp's own plain Errors (timeouts, closed connections). The message names host:port and the
 * path; the server's own words are kept (they never contain the password: basic-ftp never echoes PASS).
 */
export function ftpError(e: unknown, where: FtpWhere): FerryError {
  if (e instanceof FerryError) return e;
  const server = `${where.host}:${where.port}`;
  const subject = where.path ? `${where.action ?? 'access'} "${where.path}" on ${server}` : `${where.action ?? 'talk to'} ${server}`;
  const detail = { host: where.host, port: where.port, ...(where.path ? { path: where.path } : {}) };
  const make = (code: ConstructorParameters<typeof FerryError>[0], why: string, retryable?: boolean) =>
    new FerryError(code, `Could not ${subject}: ${why}`, { detail: { ...detail, ...(replyCode(e) ? { reply: replyCode(e) } : {}) }, cause: e, retryable });

  const code = replyCode(e);
  if (code !== undefined) {
    const said = (e as FTPError).message.replace(/^\d{3}[ -]/, '').trim();
    const saysDenied = /denied|permission|not allowed|forbidden/i.test(said);
    // vsftpd's "500 OOPS: ..." is the server itself failing (a setup problem), not an unknown command.
    if (/^OOPS/.test(said)) return make('INTERNAL', `the server failed (${said})`);
    switch (code) {
      case 530:
        return make('AUTH_FAILED', `the server refused the login (${said})`);
      case 421:
        return make('CONNECTION_LOST', `the server closed the connection (${said})`, true);
      case 425:
      case 426:
        return make('CONNECTION_LOST', `the data connection failed (${said})`, true);
      case 450:
        return make('CONFLICT', `the file is busy (${said})`, true);
      case 451:
        return make('INTERNAL', `the server had a local error (${said})`, true);
      case 452:
      case 552:
        return make('QUOTA_EXCEEDED', `the server is out of space or over quota (${said})`);
      case 553:
        return saysDenied ? make('PERMISSION_DENIED', said) : make('INVALID_NAME', `the server does not accept this name (${said})`);
      case 550:
        return saysDenied ? make('PERMISSION_DENIED', said) : make('NOT_FOUND', `not found or not accessible (${said})`);
      case 500:
      case 502:
      case 504:
        return make('UNSUPPORTED', `the server does not support this command (${said})`);
      case 501:
        return make('INVALID_NAME', `the server rejected the arguments (${said})`);
      case 522:
      case 534:
      case 535:
        return make('TLS_ERROR', `the server refused TLS (${said})`);
      default:
        return make('INTERNAL', `the server answered ${code} (${said})`);
    }
  }

  const err = e as NodeJS.ErrnoException & { code?: string };
  const msg = String(err?.message ?? e);
  if (err?.code === TLS_MISMATCH) return make('TLS_ERROR', msg);
  if (/^ERR_(SSL|TLS)_|^(CERT_|DEPTH_ZERO|SELF_SIGNED|UNABLE_TO_)/.test(String(err?.code)) || /SSL routines/.test(msg)) {
    // While connecting it is a TLS setup problem; later, a session that worked broke mid-way (a cut connection).
    if (where.connecting) return make('TLS_ERROR', msg.replace(/\s+/g, ' ').trim());
    return make('CONNECTION_LOST', `the encrypted connection broke (${msg.replace(/\s+/g, ' ').trim()})`, true);
  }
  if (/control characters/.test(msg)) return make('INVALID_NAME', 'the name contains a line break or NUL, which FTP cannot send');
  if (/Timeout/.test(msg)) return make('TIMEOUT', `no answer in time (${msg})`);
  if (err?.code && /^E[A-Z_]+$/.test(err.code)) {
    const mapped = fromNodeError(e, { host: where.host, port: where.port });
    return new FerryError(mapped.code, `Could not ${subject}: ${mapped.message}`, { detail: { ...detail, errno: err.code }, cause: e, retryable: mapped.retryable });
  }
  if (/closed connection|sent FIN|transmission error|Client is closed|closed client|data connection|transfer strategies/i.test(msg)) {
    return make('CONNECTION_LOST', msg, true);
  }
  return make('INTERNAL', msg);
}
