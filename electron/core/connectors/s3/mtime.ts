/**
 * S3 keeps only LastModified (the upload time, 1 s precision), which nobody can set. Ferry keeps the source's
 * modification time in user metadata "mtime" (X-Amz-Meta-Mtime) in rclone's format, seconds since the epoch
 * with nine decimals ("1700000000.123000000"), so rclone and Ferry read each other's times.
 */
export const MTIME_KEY = 'mtime';

export function formatMtime(d: Date): string {
  const ms = d.getTime();
  const seconds = Math.floor(ms / 1000);
  const millis = ms - seconds * 1000;
  return `${seconds}.${String(millis).padStart(3, '0')}000000`;
}

/** The stored time, or null when absent or unreadable. */
export function parseMtime(value: string | undefined): Date | null {
  if (!value || !/^-?\d+(\.\d+)?$/.test(value.trim())) return null;
  const [sec, frac = ''] = value.trim().split('.');
  const ms = Number(sec) * 1000 + Number((frac + '000').slice(0, 3)) * (sec.startsWith('-') ? -1 : 1);
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? null : d;
}
