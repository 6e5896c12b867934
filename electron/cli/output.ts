import type { ErrorData } from '../../shared/errors';
import { describeError, FerryError, toErrorData } from '../core/errors';

/** Exit codes: 0 ok, 1 failure, 2 usage. */
export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

/** A wrong command line (a bad flag value, a missing argument): exit 2, said as a usage error. */
export class UsageError extends Error {}

/**
 * Text from elsewhere (file names a server listed, a server's own words in an error, cell values) made safe
 * for a terminal: control characters would let a server move the cursor, rewrite lines or retitle the
 * window (ESC sequences), fake line breaks, or reverse text (bidi overrides). Each is shown as a visible
 * escape instead: \n, \r, \t, \x1b, \x7f, \u202e. Everything else, every other Unicode letter
 * included, is kept. `--json` output needs none of this: JSON.stringify escapes control characters itself.
 */
export function safeText(text: string): string {
  return text.replace(UNSAFE, (c) => {
    const named = NAMED_ESCAPES[c];
    if (named) return named;
    const n = c.codePointAt(0)!;
    return n <= 0xff ? `\\x${n.toString(16).padStart(2, '0')}` : `\\u${n.toString(16).padStart(4, '0')}`;
  });
}
/**
 * C0 controls, DEL, C1 controls (0x9b is CSI on some terminals), the bidi embeddings, overrides, isolates
 * and marks, and the line and paragraph separators.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
/** What JSON.stringify leaves raw of the above (it escapes C0 itself; the layout's own newlines stay). */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const NAMED_ESCAPES: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/**
 * JSON on stdout. JSON.stringify escapes C0 controls but leaves DEL, C1 controls and bidi controls raw; they
 * are written as \u escapes too (they occur only inside strings, so the parsed value is exactly the same).
 */
export function printJson(value: unknown): void {
  const text = (JSON.stringify(value, null, 2) ?? 'null').replace(UNSAFE_IN_JSON, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  process.stdout.write(text + '\n');
}

/** A plain-words error on stderr (its title said once); for an unknown host key, how to trust it. */
export function printError(e: unknown): void {
  if (e instanceof UsageError) {
    process.stderr.write(`ferry: Usage error: ${safeText(e.message)}\n`);
    return;
  }
  const data: ErrorData = toErrorData(e);
  process.stderr.write(`ferry: ${safeText(describeError(data))}\n`);
  if (data.code === 'HOST_KEY_UNKNOWN' && data.detail) {
    const d = data.detail as { fingerprint: string; keyType: string; host: string; port: number };
    process.stderr.write(
      safeText(`  ${d.host}:${d.port} presented ${d.keyType} ${d.fingerprint}`) +
        `\n  If that is the right key, run the command again with: --trust-host-key ${safeText(d.fingerprint)}\n`,
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

/** Left-aligned columns, for human output; every cell made safe for a terminal (safeText). */
export function table(cells: string[][], rightAlign: number[] = []): string {
  const rows = cells.map((r) => r.map((c) => safeText(c)));
  const widths = rows.reduce<number[]>((w, r) => r.map((c, i) => Math.max(w[i] ?? 0, c.length)), []);
  return rows
    .map((r) => r.map((c, i) => (rightAlign.includes(i) ? c.padStart(widths[i]) : i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '))
    .join('\n');
}

/** 1234567 → "1,234,567". By hand: the first toLocaleString() loads ICU's number data, about 20 ms of a command. */
export function groupDigits(n: number): string {
  const [int, frac] = String(Math.abs(n)).split('.');
  const grouped = int.replace(/\B(?=(\d{3})+$)/g, ',');
  return `${n < 0 ? '-' : ''}${grouped}${frac ? `.${frac}` : ''}`;
}

/**
 * The order `ferry ls` shows names in. All-ASCII names (the usual case) are compared ignoring case, then by
 * code point: the first localeCompare() builds ICU's collator, about 13 ms of every `ls`. Any other name
 * makes the whole listing use the locale's collation, so one listing never mixes two orders.
 */
export function nameOrder(names: string[]): (a: string, b: string) => number {
  if (names.some((n) => /[^\x00-\x7f]/.test(n))) return (a, b) => a.localeCompare(b);
  return (a, b) => {
    const x = a.toLowerCase();
    const y = b.toLowerCase();
    return x < y ? -1 : x > y ? 1 : a < b ? -1 : a > b ? 1 : 0;
  };
}
