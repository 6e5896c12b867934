import type { ErrorData } from '../../shared/errors';
import { ERROR_TITLES } from '../../shared/errors';
import { FerryError, toErrorData } from '../core/errors';

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

export class UsageError extends Error {}

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + '\n');
}

/** A plain-words error on stderr; for an unknown host key, how to trust it. */
export function printError(e: unknown): void {
  const data: ErrorData = toErrorData(e);
  process.stderr.write(`ferry: ${ERROR_TITLES[data.code]}: ${data.message}\n`);
  if (data.code === 'HOST_KEY_UNKNOWN' && data.detail) {
    const d = data.detail as { fingerprint: string; keyType: string; host: string; port: number };
    process.stderr.write(
      `  ${d.host}:${d.port} presented ${d.keyType} ${d.fingerprint}\n` +
        `  If that is the right key, run the command again with: --trust-host-key ${d.fingerprint}\n`,
    );
  }
  if (data.code === 'HOST_KEY_CHANGED') {
    process.stderr.write('  Ferry will not connect. If the server really changed its key, remove the old one: ferry trust rm HOST:PORT\n');
  }
  if (process.env.FERRY_DEBUG && !(e instanceof FerryError)) console.error(e);
}

export function exitCodeFor(e: unknown): number {
  if (e instanceof UsageError) return EXIT_USAGE;
  const code = toErrorData(e).code;
  return code === 'INVALID_INPUT' ? EXIT_USAGE : EXIT_FAILURE;
}

export function humanSize(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  let v = n;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return i === 0 ? `${Math.round(n)} B` : `${v.toFixed(v < 10 ? 1 : 0)} ${units[i]}`;
}

/** Left-aligned columns, for human output. */
export function table(rows: string[][], rightAlign: number[] = []): string {
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows
    .map((r) => r.map((c, i) => (rightAlign.includes(i) ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '))
    .join('\n');
}
