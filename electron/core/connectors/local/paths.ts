import { win32 } from 'node:path';
import { normalizePath } from '../../../../shared/paths';
import { FerryError } from '../../errors';

/**
 * The one place connector paths ("/a/b", POSIX, absolute) meet the file system. On POSIX systems they map
 * 1:1. On Windows the first segment is the drive: "/C/Users/ann" <-> "C:\Users\ann" ("/" lists nothing yet).
 */
export function toNativePath(path: string, platform: NodeJS.Platform = process.platform): string {
  if (path.includes('\0')) throw new FerryError('INVALID_NAME', `A path cannot contain a NUL byte: ${JSON.stringify(path)}`);
  const p = normalizePath(path);
  if (platform !== 'win32') return p;
  const [drive, ...rest] = p.split('/').filter(Boolean);
  if (!drive) return '\\';
  return win32.join(`${drive}:\\`, ...rest);
}

/** The inverse of toNativePath, for paths the OS hands us (the home folder). */
export function fromNativePath(native: string, platform: NodeJS.Platform = process.platform): string {
  if (platform !== 'win32') return normalizePath(native);
  const m = /^([a-zA-Z]):[\\/]?(.*)$/.exec(native);
  const rest = (m ? m[2] : native).split(/[\\/]/).join('/');
  return normalizePath(m ? `/${m[1].toUpperCase()}/${rest}` : rest);
}
