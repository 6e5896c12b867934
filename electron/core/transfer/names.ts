import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../../shared/errors';
import { basename, dirname, joinPath, unsafeNameReason } from '../../../shared/paths';

export const TEMP_SUFFIX = '.ferry-part';
const MAX_NAME_BYTES = 255;

/**
 * Where a non-atomic write goes before it is verified and renamed into place: a hidden name next to the
 * destination that carries its writer (`tag`: the job's, see writerTag). Two jobs writing the same path
 * never share a temp file, and a resumed job (its tag is stable) finds its own partial file.
 */
export function tempPathFor(dstPath: string, tag: string): string {
  const name = basename(dstPath);
  let temp = `.${name}.${tag}${TEMP_SUFFIX}`;
  if (Buffer.byteLength(temp) > MAX_NAME_BYTES) temp = `.${hashedStem(name)}.${tag}${TEMP_SUFFIX}`;
  return joinPath(dirname(dstPath), temp);
}

/** A job's writer tag: 8 hex digits of its id (uuid), short enough to keep temp names readable. */
export function writerTag(jobId: string): string {
  return jobId.replace(/-/g, '').slice(0, 8).toLowerCase();
}

const hashedStem = (name: string) => `ferry-${createHash('sha1').update(name).digest('hex').slice(0, 20)}`;

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
}

/**
 * Whether `tempName` is a partial file of the destination file named `dstName`, written by any writer:
 * `.NAME.TAG.ferry-part`, its hashed form for long names, or the single `.NAME.ferry-part` of earlier versions.
 */
export function isPartialOf(tempName: string, dstName: string): boolean {
  if (!isTempName(tempName)) return false;
  const inner = tempName.slice(1, -TEMP_SUFFIX.length);
  for (const stem of [dstName, hashedStem(dstName)]) {
    if (inner === stem) return true;
    if (inner.startsWith(stem + '.') && /^[0-9a-f]{8}$/.test(inner.slice(stem.length + 1))) return true;
  }
  return false;
}

/** Why a name from a source listing may not be used under the destination folder, with the code to report. */
export function refusedName(name: string): { code: ErrorCode; reason: string } | null {
  const reason = unsafeNameReason(name);
  if (!reason) return null;
  const code: ErrorCode = name === '' || name.includes('\0') ? 'INVALID_NAME' : 'PATH_ESCAPE';
  return { code, reason };
}

const WINDOWS_RESERVED = /^(con|prn|aux|nul|com[0-9]|lpt[0-9])(\..*)?$/i;

/** Why this computer's file system cannot hold `name` (one segment), or null. */
export function localNameProblem(name: string, platform: NodeJS.Platform = process.platform): string | null {
  if (Buffer.byteLength(name, 'utf8') > MAX_NAME_BYTES) return `the name is longer than ${MAX_NAME_BYTES} bytes`;
  if (platform === 'win32') {
    if (/[<>:"|?*\x00-\x1f]/.test(name)) return 'the name has a character Windows does not allow (< > : " | ? * or a control character)';
    if (/[. ]$/.test(name)) return 'Windows does not allow a name ending with a dot or a space';
    if (WINDOWS_RESERVED.test(name)) return 'the name is reserved for a device on Windows';
  }
  return null;
}

/** "name (1).ext", "name (2).ext"... the first that `taken` does not claim. */
export function renamedName(name: string, taken: (candidate: string) => boolean): string {
  const dot = name.lastIndexOf('.');
  const [stem, ext] = dot > 0 ? [name.slice(0, dot), name.slice(dot)] : [name, ''];
  for (let i = 1; ; i++) {
    const candidate = `${stem} (${i})${ext}`;
    if (!taken(candidate)) return candidate;
  }
}
