import type { FileMetadata } from '@google-cloud/storage';
import type { Entry, HashType } from '../../../../shared/connectors';

/**
 * How GCS object metadata becomes Ferry's Entry.
 * - Hashes: GCS reports md5Hash and crc32c as base64; Ferry speaks lowercase hex (crc32c as 8 hex digits).
 * - Modification time: GCS's own `updated` is the upload time and cannot be set. Ferry keeps the source's
 *   time in custom metadata, in both forms other tools use: `mtime` (RFC 3339, rclone) and
 *   `goog-reserved-file-mtime` (whole seconds, gsutil). Read back in that order, else `updated`.
 */
export const MTIME_KEY = 'mtime';
export const GSUTIL_MTIME_KEY = 'goog-reserved-file-mtime';

export function mtimeMetadata(d: Date): Record<string, string> {
  return { [MTIME_KEY]: d.toISOString(), [GSUTIL_MTIME_KEY]: String(Math.floor(d.getTime() / 1000)) };
}

export function modifiedOf(md: FileMetadata): string | null {
  const custom = md.metadata as Record<string, unknown> | undefined;
  const rfc = custom?.[MTIME_KEY];
  if (typeof rfc === 'string') {
    const ms = Date.parse(rfc);
    if (!Number.isNaN(ms)) return new Date(ms).toISOString();
  }
  const secs = custom?.[GSUTIL_MTIME_KEY];
  if (typeof secs === 'string' && /^-?\d+$/.test(secs.trim())) return new Date(Number(secs) * 1000).toISOString();
  return md.updated ? new Date(md.updated).toISOString() : null;
}

export function base64ToHex(b64: string | undefined): string | undefined {
  return b64 ? Buffer.from(b64, 'base64').toString('hex') : undefined;
}

export function hashesOf(md: FileMetadata): Partial<Record<HashType, string>> {
  const out: Partial<Record<HashType, string>> = {};
  const md5 = base64ToHex(md.md5Hash);
  const crc = base64ToHex(md.crc32c);
  if (md5) out.md5 = md5;
  if (crc) out.crc32c = crc;
  return out;
}

export function fileEntry(path: string, name: string, md: FileMetadata): Entry {
  const hashes = hashesOf(md);
  return {
    name,
    path,
    type: 'file',
    size: Number(md.size ?? 0),
    modified: modifiedOf(md),
    ...(Object.keys(hashes).length ? { hashes } : {}),
  };
}

export function dirEntry(path: string, name: string): Entry {
  return { name, path, type: 'dir', size: 0, modified: null };
}
