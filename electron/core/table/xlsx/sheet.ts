import { SaxesParser } from 'saxes';
import { FerryError } from '../../errors';
import type { ByteSource } from '../types';
import type { Workbook } from './workbook';
import { entryChunks, type ZipEntry } from './zip';

/** One cell as the sheet stores it: its kind, its text (a number's text exactly as written), its style. */
export interface RawCell {
  kind: 'number' | 'string' | 'boolean' | 'error' | 'date';
  text: string;
  /** For numbers: the style says the number is a date or a date-time (a serial day count). */
  dateStyle: 'date' | 'datetime' | null;
}

export interface RawRow {
  /** The 1-based sheet row. */
  row: number;
  cells: Array<RawCell | undefined>;
}

/** "AB12" → 27 (0-based column). */
function columnOf(ref: string): number {
  let n = 0;
  for (const ch of ref) {
    const c = ch.charCodeAt(0);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/**
 * A sheet's rows, parsed with saxes as the entry inflates: only as much of the sheet is read as the rows
 * the caller takes. Missing cells (sparse rows) are undefined: NULL.
 */
export async function* sheetRows(src: ByteSource, entry: ZipEntry, wb: Workbook, signal?: AbortSignal): AsyncGenerator<RawRow> {
  const p = new SaxesParser();
  const ready: RawRow[] = [];
  let row: RawRow | null = null;
  let nextRow = 1;
  let col = 0;
  let cellType = '';
  let style = 0;
  let text = '';
  let inValue = false;
  let hasValue = false;
  p.on('opentag', (t) => {
    const n = t.name.slice(t.name.indexOf(':') + 1);
    if (n === 'row') {
      const r = Number(t.attributes.r ?? nextRow);
      row = { row: r, cells: [] };
      nextRow = r + 1;
      col = 0;
    } else if (n === 'c') {
      col = t.attributes.r ? columnOf(t.attributes.r) : col;
      cellType = t.attributes.t ?? 'n';
      style = Number(t.attributes.s ?? 0);
      text = '';
      hasValue = false;
    } else if (n === 'v' || (n === 't' && cellType === 'inlineStr')) {
      inValue = true;
      hasValue = true;
    }
  });
  p.on('text', (s) => {
    if (inValue) text += s;
  });
  p.on('closetag', (t) => {
    const n = t.name.slice(t.name.indexOf(':') + 1);
    if (n === 'v' || n === 't') inValue = false;
    else if (n === 'c' && row) {
      if (hasValue) row.cells[col] = cell(cellType, text, style, wb);
      col++;
    } else if (n === 'row' && row) {
      ready.push(row);
      row = null;
    }
  });
  const dec = new TextDecoder('utf-8');
  try {
    for await (const chunk of entryChunks(src, entry, signal)) {
      p.write(dec.decode(chunk, { stream: true }));
      while (ready.length) yield ready.shift()!;
    }
    p.close();
  } catch (e) {
    if (e instanceof FerryError) throw e;
    throw new FerryError('INVALID_INPUT', `${src.label}: the sheet's XML is damaged near row ${nextRow}: ${(e as Error).message}`, { detail: { file: src.label, row: nextRow } });
  }
  while (ready.length) yield ready.shift()!;
}

function cell(t: string, text: string, style: number, wb: Workbook): RawCell {
  switch (t) {
    case 's':
      return { kind: 'string', text: unescapeX(wb.sharedStrings[Number(text)] ?? ''), dateStyle: null };
    case 'inlineStr':
    case 'str':
      return { kind: 'string', text: unescapeX(text), dateStyle: null };
    case 'b':
      return { kind: 'boolean', text: text === '1' || text === 'true' ? 'true' : 'false', dateStyle: null };
    case 'e':
      return { kind: 'error', text, dateStyle: null };
    case 'd':
      return { kind: 'date', text, dateStyle: 'datetime' };
    default:
      return { kind: 'number', text, dateStyle: wb.dateStyles[style] ?? null };
  }
}

/** Excel's escape for characters XML cannot carry: _x000D_ is a CR, _x005F_ an underscore. */
function unescapeX(s: string): string {
  return s.includes('_x') ? s.replace(/_x([0-9A-Fa-f]{4})_/g, (_, h: string) => String.fromCharCode(parseInt(h, 16))) : s;
}
