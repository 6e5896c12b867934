import { FerryError, fromNodeError } from '../../errors';

/** SFTP v3 status codes (draft-ietf-secsh-filexfer-02), as ssh2 puts them on `err.code`. */
export const SFTP_STATUS = {
  EOF: 1,
  NO_SUCH_FILE: 2,
  PERMISSION_DENIED: 3,
  FAILURE: 4,
  BAD_MESSAGE: 5,
  NO_CONNECTION: 6,
  CONNECTION_LOST: 7,
  OP_UNSUPPORTED: 8,
} as const;

export interface Where {
  host: string;
  port: number;
  path?: string;
}

function hostPort(w: Where): string {
  return `${w.host}:${w.port}`;
}

/** "… /path on host:port" */
function at(w: Where): string {
  return w.path !== undefined ? `${w.path} on ${hostPort(w)}` : hostPort(w);
}

export function connectionLost(w: Where, cause?: unknown): FerryError {
  return new FerryError('CONNECTION_LOST', `The connection to ${hostPort(w)} was lost`, { detail: { host: w.host, port: w.port }, cause });
}

/** The SFTP status of an ssh2 error, or undefined for a transport error. */
export function sftpStatus(e: unknown): number | undefined {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'number' ? code : undefined;
}

/**
 * An error from one SFTP request. OpenSSH's sftp-server reports EEXIST, ENOTEMPTY, EISDIR and the like all as
 * plain FAILURE, so the caller that can tell them apart (with a stat) does so before falling back to this.
 */
export function fromSftpError(e: unknown, op: string, w: Where): FerryError {
  if (e instanceof FerryError) return e;
  const status = sftpStatus(e);
  const detail = { host: w.host, port: w.port, path: w.path, op, status };
  const server = (e as Error)?.message;
  switch (status) {
    case SFTP_STATUS.NO_SUCH_FILE:
      return new FerryError('NOT_FOUND', `Not found: ${at(w)}`, { detail, cause: e });
    case SFTP_STATUS.PERMISSION_DENIED:
      return new FerryError('PERMISSION_DENIED', `Permission denied (${op}): ${at(w)}`, { detail, cause: e });
    case SFTP_STATUS.OP_UNSUPPORTED:
      return new FerryError('UNSUPPORTED', `The server does not support ${op}: ${at(w)}`, { detail, cause: e });
    case SFTP_STATUS.NO_CONNECTION:
    case SFTP_STATUS.CONNECTION_LOST:
      return connectionLost(w, e);
    case SFTP_STATUS.BAD_MESSAGE:
      return new FerryError('INVALID_NAME', `The server refused the request (${op}) for ${at(w)}: ${server}`, { detail, cause: e });
    case SFTP_STATUS.FAILURE:
    case SFTP_STATUS.EOF:
      return new FerryError('INTERNAL', `The server could not ${op} ${at(w)}: ${server}`, { detail, cause: e });
    default:
      // No SFTP status: the channel or the connection went away under the request.
      if (/No response from server|Channel is not open|Not connected|socket|ECONNRESET|EPIPE/i.test(server ?? '')) return connectionLost(w, e);
      return fromNodeError(e, { host: w.host, port: w.port, path: w.path });
  }
}

/**
 * An error from establishing the SSH connection (before any SFTP request). ssh2 tags them with a `level`:
 * client-socket (Node socket errors), client-dns, client-timeout, client-authentication, agent, protocol, handshake.
 */
export function fromConnectError(e: unknown, w: Where, user: string): FerryError {
  if (e instanceof FerryError) return e;
  const err = e as Error & { level?: string; code?: string };
  const msg = err?.message ?? String(e);
  const detail = { host: w.host, port: w.port };
  switch (err?.level) {
    case 'client-socket':
      return fromNodeError(err, { host: w.host, port: w.port });
    case 'client-dns':
      return new FerryError('HOST_NOT_FOUND', `Host not found (DNS lookup failed): ${w.host}`, { detail, cause: e });
    case 'client-timeout':
      return new FerryError('TIMEOUT', `Timed out connecting to ${hostPort(w)}`, { detail, cause: e });
    case 'client-authentication':
      return new FerryError('AUTH_FAILED', `Authentication failed for ${user}@${hostPort(w)}`, { detail, cause: e });
    case 'agent':
      return new FerryError('AUTH_FAILED', `The SSH agent could not be used for ${user}@${hostPort(w)}: ${msg}`, { detail, cause: e });
    case 'handshake':
      return new FerryError('UNSUPPORTED', `No common encryption with ${hostPort(w)}: ${msg}`, { detail, cause: e });
    default:
      if (err?.code) return fromNodeError(err, { host: w.host, port: w.port });
      return new FerryError('CONNECTION_LOST', `The SSH connection to ${hostPort(w)} failed: ${msg}`, { detail, cause: e });
  }
}
