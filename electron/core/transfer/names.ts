import { createHash } from 'node:crypto';
import type { ErrorCode } from '../../../shared/errors';
import { basename, dirname, joinPath, unsafeNameReason } from '../../../shared/paths';

export const TEMP_SUFFIX = '.ferry-part';
const MAX_NAME_BYTES = 255;

/**
 * Where a non-atomic write goes before it is verified and renamed into place: a hidden name next to the
 * destination, deterministic so a resumed job (or a later job with the resume policy) finds the partial file.
 */
export function tempPathFor(dstPath: string): string {
  const name = basename(dstPath);
  let temp = `.${name}${TEMP_SUFFIX}`;
  if (Buffer.byteLength(temp) > MAX_NAME_BYTES) {
    temp = `.ferry-${createHash('sha1').update(name).digest('hex').slice(0, 20)}${TEMP_SUFFIX}`;
  }
  return joinPath(dirname(dstPath), temp);
}

export function isTempName(name: string): boolean {
  return name.startsWith('.') && name.endsWith(TEMP_SUFFIX);
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
