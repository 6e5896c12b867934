import { FTPError } from 'basic-ftp';
import { FerryError } from '../../errors';
import type { ErrorCode } from '../../../../shared/errors';
import { dirname } from '../../../../shared/paths';
import { positive, type FtpClient, type Reply } from './connect';
import { ftpError, type FtpWhere } from './errors';

/**
 * Many servers answer every failure of an operation with the same reply (vsftpd: "550 Delete operation
 * failed." whether the file is missing, a folder or protected). These probes ask the server what is really
 * at a path so Ferry can say NOT_FOUND, IS_A_DIRECTORY or PERMISSION_DENIED instead of guessing.
 */
export type PathKind = 'file' | 'dir' | 'missing';

/** SIZE answers for files only (in binary mode), CWD succeeds for folders only. Changes the working folder. */
export async function kindOf(c: FtpClient, path: string): Promise<PathKind> {
  if (path === '/') return 'dir';
  if ((await c.ask(`SIZE ${path}`)).code === 213) return 'file';
  if (positive(await c.ask(`CWD ${path}`))) return 'dir';
  return 'missing';
}

/** The size from a "213 <size>" reply to SIZE. */
export function parseSize(reply: Reply): number {
  return Number.parseInt(reply.message.slice(4), 10);
}

/** "YYYYMMDDHHMMSS[.sss]" (UTC, RFC 3659) from a 213 reply to MDTM, as an ISO date; null if unreadable. */
export function parseModTime(reply: Reply): string | null {
  const m = /(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\.\d+)?/.exec(reply.message.slice(4));
  if (reply.code !== 213 || !m) return null;
  const ms = Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6], m[7] ? Math.floor(Number(m[7]) * 1000) : 0);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

/** A Date as MFMT/MDTM want it, in UTC, whole seconds (the fraction is dropped, as FTP keeps seconds). */
export function formatModTime(d: Date): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(d.getUTCFullYear(), 4)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}`;
}

/**
 * The error for a refused reply once probing has ruled out the usual suspects: quota and name replies keep
 * their meaning; an unspecific "550 failed" becomes `fallback` (usually PERMISSION_DENIED).
 */
export function refused(reply: Reply, where: FtpWhere, fallback: ErrorCode): FerryError {
  const mapped = ftpError(new FTPError({ code: reply.code, message: reply.message }), where);
  if (mapped.code !== 'NOT_FOUND') return mapped;
  return new FerryError(fallback, mapped.message, { detail: mapped.detail, cause: mapped.cause });
}

/** NOT_FOUND for a path, naming the part that is missing when it is the parent folder. */
export async function notFound(c: FtpClient, path: string, where: FtpWhere): Promise<FerryError> {
  const parent = dirname(path);
  return missing(path, parent === path ? 'dir' : await kindOf(c, parent), where);
}

/**
 * Why a folder could not be entered (its CWD was refused), asked in one write where the server takes
 * pipelined commands: the path's SIZE (a file answers it) and its parent's SIZE and CWD, for the error.
 * A listing of a folder that is not there yet (a copy's new destination) took five round trips before.
 */
export async function whyNotEntered(c: FtpClient, path: string, where: FtpWhere): Promise<FerryError> {
  const parent = dirname(path);
  const probeParent = parent !== path && parent !== '/';
  const [size, parentSize, parentCwd] = await c.askMany([`SIZE ${path}`, ...(probeParent ? [`SIZE ${parent}`, `CWD ${parent}`] : [])]);
  if (size.code === 213) return failure('NOT_A_DIRECTORY', 'it is a file, not a folder', path, where);
  const parentKind: PathKind = !probeParent ? 'dir' : parentSize.code === 213 ? 'file' : positive(parentCwd) ? 'dir' : 'missing';
  return missing(path, parentKind, where);
}

function missing(path: string, parentKind: PathKind, where: FtpWhere): FerryError {
  const parent = dirname(path);
  const why = parentKind === 'dir' ? 'it does not exist' : parentKind === 'file' ? `"${parent}" is a file` : `the folder "${parent}" does not exist`;
  const code: ErrorCode = parentKind === 'file' ? 'NOT_A_DIRECTORY' : 'NOT_FOUND';
  return new FerryError(code, `Could not ${where.action ?? 'access'} "${path}" on ${where.host}:${where.port}: ${why}`, {
    detail: { host: where.host, port: where.port, path },
  });
}

export function failure(code: ErrorCode, why: string, path: string, where: FtpWhere): FerryError {
  return new FerryError(code, `Could not ${where.action ?? 'access'} "${path}" on ${where.host}:${where.port}: ${why}`, {
    detail: { host: where.host, port: where.port, path },
  });
}
