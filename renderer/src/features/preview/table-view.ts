import type { Preview } from '../../../../shared/table';

/**
 * How a previewed table is shown: cell text, alignment, column widths, the schema view's numbers over the
 * rows loaded, the warnings of every page, the dialect's characters in words. Pure (unit-tested).
 */
export type Column = Preview['columns'][number];
export type Stats = Preview['stats'][number];
export type Warning = Preview['warnings'][number];
export type Dialect = NonNullable<Preview['dialect']>;

/** Types whose values are numbers (right-aligned): int32, int64, float64, decimal(p,s). */
export function isNumericType(type: string): boolean {
  return /^(int(8|16|32|64)|uint(8|16|32|64)|float(32|64)|double|decimal\(\d+, ?\d+\))$/.test(type);
}

/**
 * A cell's display text; null for NULL (shown as a dimmed NULL, unlike the empty string, which is an empty cell).
 * Values arrive in the contract's JSON form: int64/decimal as strings, dates and timestamps as ISO text,
 * nested values as arrays/objects.
 */
export function cellText(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  try {
    return JSON.stringify(value);
  } catch {
    return String(value);
  }
}

const CHAR_PX = 8;
const MIN_COL = 72;
const MAX_COL = 360;
/** Cell padding (8px each side), the border, and a little air. */
const PAD = 26;

/** Text width in px: the browser's measure when there is one, else ~8px per character. */
export type MeasureText = (text: string, bold: boolean) => number;
const byChars: MeasureText = (t) => t.length * CHAR_PX;

/** Column widths in px from the header (name bold, type small) and the first rows' text, clamped. */
export function columnWidths(columns: readonly Column[], rows: readonly unknown[][], measure: MeasureText = byChars, sample = 200): number[] {
  return columns.map((c, i) => {
    let w = Math.max(measure(c.name, true), measure(c.type, false) * 0.8);
    for (let r = 0; r < Math.min(rows.length, sample); r++) {
      const t = cellText(rows[r][i]);
      w = Math.max(w, t === null ? measure('NULL', false) : measure(t.length > 80 ? t.slice(0, 80) : t, false));
      if (w >= MAX_COL) break;
    }
    return Math.round(Math.min(MAX_COL, Math.max(MIN_COL, w + PAD)));
  });
}

/** The width of the row-number column for numbers up to `rows`. */
export function rowNumberWidth(rows: number): number {
  return Math.max(44, String(Math.max(1, rows)).length * 8 + 20);
}

export interface ColumnSummary {
  name: string;
  type: string;
  nulls: number;
  examples: string[];
}

/** The schema view: each column's type, NULLs and a few example values, over every page loaded. */
export function summarizeColumns(columns: readonly Column[], statsPerPage: readonly (readonly Stats[])[], maxExamples = 3): ColumnSummary[] {
  return columns.map((c, i) => {
    let nulls = 0;
    const examples: string[] = [];
    for (const stats of statsPerPage) {
      const s = stats[i];
      if (!s) continue;
      nulls += s.nulls;
      for (const ex of s.examples) if (examples.length < maxExamples && !examples.includes(ex)) examples.push(ex);
    }
    return { name: c.name, type: c.type, nulls, examples };
  });
}

/** Warnings of every page loaded, each once, in line order (those without a line last). */
export function mergeWarnings(lists: readonly (readonly Warning[])[]): Warning[] {
  const seen = new Set<string>();
  const out: Warning[] = [];
  for (const list of lists)
    for (const w of list) {
      const key = `${w.code}\n${w.line ?? ''}\n${w.column ?? ''}\n${w.message}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(w);
    }
  return out.sort((a, b) => (a.line ?? Infinity) - (b.line ?? Infinity));
}

/** The delimiter choices of the dialect control; anything else is "other" with its own text field. */
export const DELIMITERS = [
  { value: ',', label: 'Comma  ,' },
  { value: ';', label: 'Semicolon  ;' },
  { value: '\t', label: 'Tab' },
  { value: '|', label: 'Pipe  |' },
] as const;

export const OTHER = 'other';

/** The delimiter select's value for a delimiter: one of DELIMITERS, else "other". */
export function delimiterChoice(delimiter: string): string {
  return DELIMITERS.some((d) => d.value === delimiter) ? delimiter : OTHER;
}

/** A dialect character in words, for the summary line: "," → "comma", "\t" → "tab". */
export function charName(c: string): string {
  const names: Record<string, string> = { ',': 'comma', ';': 'semicolon', '\t': 'tab', '|': 'pipe', '"': 'double quote', "'": 'single quote', '\\': 'backslash', ' ': 'space' };
  return names[c] ?? `“${c}”`;
}

export function lineEndingName(le: string): string {
  return le === '\r\n' ? 'CRLF' : le === '\n' ? 'LF' : le === '\r' ? 'CR' : le || '–';
}

/**
 * What an error's detail says about where in the file it is, as "label: value" pairs, in a useful order:
 * line, column, row, row group, sheet, then the rest. Only plain values (a stack or nested object is never shown).
 */
export function errorWhere(detail: Record<string, unknown> | undefined, message = ''): { label: string; value: string }[] {
  if (!detail) return [];
  const order = ['file', 'line', 'column', 'field', 'row', 'rowGroup', 'row_group', 'sheet', 'cell', 'offset', 'value', 'type', 'expected', 'format'];
  const labels: Record<string, string> = { rowGroup: 'row group', row_group: 'row group' };
  // Never a stack; not the connector's protocol internals; not the file's name again when the message says it.
  const skip = new Set(['stack', 'cause', 'key', 'fingerprint', 'op', 'status', 'errno', 'syscall', 'code']);
  const repeated = (k: string) => (k === 'file' || k === 'path') && message.includes(String(detail[k]));
  const keys = Object.keys(detail).filter((k) => !skip.has(k) && isPlain(detail[k]) && !repeated(k));
  keys.sort((a, b) => rank(order, a) - rank(order, b));
  return keys.map((k) => ({ label: labels[k] ?? k.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase(), value: String(detail[k]) }));
}

const rank = (order: string[], k: string) => (order.includes(k) ? order.indexOf(k) : order.length);
const isPlain = (v: unknown) => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';
