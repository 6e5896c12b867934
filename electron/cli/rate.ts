import { UsageError } from './output';

const UNITS: Record<string, number> = { '': 1, b: 1, k: 1024, ki: 1024, m: 1024 ** 2, mi: 1024 ** 2, g: 1024 ** 3, gi: 1024 ** 3 };

/** "10M", "512k", "1.5MiB/s", "2000000" → bytes per second (binary units, like rclone's --bwlimit). */
export function parseRate(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?)?b?(?:\/s)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--bwlimit: cannot read "${text}" (examples: 512K, 10M, 1.5MiB/s)`);
  const v = Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()];
  if (!(v >= 1)) throw new UsageError(`--bwlimit must be at least 1 byte per second, not ${JSON.stringify(text)}`);
  return Math.floor(v);
}

/** "1.5G" style sizes for --min-size/--max-size. */
export function parseSize(text: string, flag: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*([kmg]i?)?b?$/i.exec(text.trim());
  if (!m) throw new UsageError(`${flag}: cannot read "${text}" (examples: 100, 10K, 5M, 1G)`);
  return Math.floor(Number(m[1]) * UNITS[(m[2] ?? '').toLowerCase()]);
}
