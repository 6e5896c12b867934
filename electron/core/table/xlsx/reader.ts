import { FerryError } from '../../errors';
import type { Batch, ByteSource, Column, LogicalType, ReadOptions, TableReader, TableWarning, Value } from '../types';
import { parseCell } from '../csv/infer';
import { DAY_MS, parseDecimal, unitsPerSecond } from '../values';
import { sheetRows, type RawCell, type RawRow } from './sheet';
import { readWorkbook, SCHEMA_SHEET, type Workbook } from './workbook';
import { readDirectory } from './zip';

const SAMPLE_ROWS = 1000;
const BATCH_ROWS = 2048;

/** OLE compound files: an old .xls, or an xlsx that Excel encrypted with a password. */
async function refuseOle(src: ByteSource, head: Buffer): Promise<void> {
  if (head.readUInt32BE(0) !== 0xd0cf11e0) return;
  const start = Buffer.from(await src.slice(0, Math.min(src.size, 64 * 1024)));
  if (start.includes(Buffer.from('EncryptionInfo', 'utf16le'))) {
    throw new FerryError('UNSUPPORTED', `${src.label} is a password-protected workbook: remove the password in Excel (File > Info > Protect Workbook > Encrypt with Password, clear it), save, and try again`, { detail: { file: src.label } });
  }
  throw new FerryError('UNSUPPORTED', `${src.label} is an old Excel 97-2003 (.xls) workbook: open it in Excel or LibreOffice and save it as .xlsx`, { detail: { file: src.label } });
}

/** Excel's serial day number as ms since the epoch (the 1900 system counts a 1900-02-29 that never was). */
function serialToMs(serial: number, date1904: boolean): number {
  const days = date1904 ? serial + 1462 - 25569 : serial < 61 ? serial - 25568 : serial - 25569;
  return Math.round(days * DAY_MS);
}

export async function openXlsx(src: ByteSource, opts: ReadOptions): Promise<TableReader> {
  const head = Buffer.from(await src.slice(0, Math.min(src.size, 8)));
  if (head.length >= 4) await refuseOle(src, head);
  if (head.length < 4 || head.readUInt32LE(0) !== 0x04034b50) {
    throw new FerryError('INVALID_INPUT', `${src.label} is not an xlsx workbook (it does not start as a zip file)`, { detail: { file: src.label } });
  }
  const dir = await readDirectory(src);
  const wb = await readWorkbook(src, dir, opts.signal);
  const visible = wb.sheets.filter((s) => s.name !== SCHEMA_SHEET);
  if (visible.length === 0) throw new FerryError('INVALID_INPUT', `${src.label} has no sheets`, { detail: { file: src.label } });
  const want = opts.sheet;
  const sheet = want === undefined ? visible.find((s) => !s.hidden) ?? visible[0] : typeof want === 'number' ? visible[want] : visible.find((s) => s.name === want);
  if (!sheet) {
    throw new FerryError('NOT_FOUND', `${src.label} has no sheet ${JSON.stringify(want)}; its sheets are ${visible.map((s) => JSON.stringify(s.name)).join(', ')}`, { detail: { file: src.label, sheets: visible.map((s) => s.name) } });
  }
  const entry = dir.get(sheet.path);
  if (!entry) throw new FerryError('INVALID_INPUT', `${src.label}: the sheet "${sheet.name}" is listed but missing from the file`, { detail: { file: src.label } });
  const saved = await savedSchema(src, dir, wb, sheet.name, opts.signal);

  const sample: RawRow[] = [];
  for await (const r of sheetRows(src, entry, wb, opts.signal)) {
    if (sample.length === 0 && r.cells.every((c) => c === undefined)) continue;
    sample.push(r);
    if (sample.length > SAMPLE_ROWS) break;
  }
  const header = opts.header !== false && sample.length > 0;
  const width = Math.max(saved?.length ?? 0, ...sample.map((r) => r.cells.length), 0);
  const names = Array.from({ length: width }, (_, c) => (header ? sample[0].cells[c]?.text ?? '' : '') || `column${c + 1}`);
  const body = header ? sample.slice(1) : sample;
  const columns: Column[] = names.map((name, c) => ({ name, type: saved?.[c]?.name === name ? saved[c].type : inferCells(body.map((r) => r.cells[c])) }));
  const headerRow = header ? sample[0].row : 0;
  const warnings: TableWarning[] = [];
  return {
    format: 'xlsx',
    schema: { columns },
    rowCount: null,
    sheets: visible.map((s) => s.name),
    sheet: sheet.name,
    warnings,
    async *batches(o = {}) {
      let skip = o.offset ?? 0;
      let left = o.limit ?? Infinity;
      if (left <= 0) return;
      let rows: Value[][] = [];
      let origins: number[] = [];
      for await (const r of sheetRows(src, entry, wb, o.signal)) {
        if (r.row <= headerRow) continue;
        // An empty row element is an all-NULL row in Ferry's own files; elsewhere it is formatting only.
        if (r.cells.length === 0 && !saved) continue;
        if (skip > 0) {
          skip--;
          continue;
        }
        rows.push(columns.map((c, i) => toValue(r.cells[i], c, r.row, wb, src.label, warnings)));
        origins.push(r.row);
        if (--left <= 0) break;
        if (rows.length >= BATCH_ROWS) {
          yield { rows, origins } satisfies Batch;
          rows = [];
          origins = [];
        }
      }
      if (rows.length) yield { rows, origins };
    },
  };
}

/** Types Ferry's own writer saved in its hidden sheet, so that a round trip keeps them exactly. */
async function savedSchema(src: ByteSource, dir: Awaited<ReturnType<typeof readDirectory>>, wb: Workbook, sheet: string, signal?: AbortSignal): Promise<Column[] | null> {
  const s = wb.sheets.find((x) => x.name === SCHEMA_SHEET);
  const e = s && dir.get(s.path);
  if (!e) return null;
  const cols: Column[] = [];
  let first = true;
  for await (const r of sheetRows(src, e, wb, signal)) {
    if (first) {
      if (r.cells[0]?.text !== 'ferry-schema-v1' || r.cells[1]?.text !== sheet) return null;
      first = false;
      continue;
    }
    try {
      cols.push({ name: r.cells[0]?.text ?? '', type: JSON.parse(r.cells[1]?.text ?? '') as LogicalType });
    } catch {
      return null;
    }
  }
  return cols;
}

function inferCells(cells: Array<RawCell | undefined>): LogicalType {
  const present = cells.filter((c): c is RawCell => c !== undefined && c.kind !== 'error');
  if (present.length === 0) return { kind: 'string' };
  if (present.every((c) => c.kind === 'boolean')) return { kind: 'boolean' };
  if (present.every((c) => c.kind === 'number' && c.dateStyle)) {
    const days = present.every((c) => c.dateStyle === 'date' && Number.isInteger(Number(c.text)));
    return days ? { kind: 'date' } : { kind: 'timestamp', unit: 'ms', tz: null };
  }
  if (present.every((c) => c.kind === 'number' && !c.dateStyle)) {
    const ints = present.every((c) => Number.isSafeInteger(Number(c.text)));
    return ints ? { kind: 'int64' } : { kind: 'float64' };
  }
  return { kind: 'string' };
}

function toValue(cell: RawCell | undefined, col: Column, row: number, wb: Workbook, label: string, warnings: TableWarning[]): Value {
  if (!cell) return null;
  const t = col.type;
  if (cell.kind === 'error') {
    if (warnings.length < 100) warnings.push({ code: 'OTHER', message: `row ${row}, column "${col.name}": the cell holds the error ${cell.text}; read as NULL`, line: row, column: col.name });
    return t.kind === 'string' ? cell.text : null;
  }
  const fail = (why: string): never => {
    throw new FerryError('INVALID_INPUT', `${label} row ${row}, column "${col.name}": ${why}`, { detail: { file: label, row, column: col.name, value: cell.text } });
  };
  const num = cell.kind === 'number';
  try {
    switch (t.kind) {
      case 'string':
        return cell.text;
      case 'boolean':
        return cell.kind === 'boolean' ? cell.text === 'true' : parseCell(cell.text, true, t);
      case 'int32':
        return num ? Number(cell.text) : parseCell(cell.text, true, t);
      case 'int64':
        if (!num) return parseCell(cell.text, true, t);
        return /^-?\d+$/.test(cell.text) ? BigInt(cell.text) : Number.isInteger(Number(cell.text)) ? BigInt(Number(cell.text)) : fail(`${cell.text} is not a whole number`);
      case 'decimal': {
        const text = num && /e/i.test(cell.text) ? Number(cell.text).toFixed(t.scale) : cell.text;
        return parseDecimal(text, t.precision, t.scale) ?? fail(`${cell.text} does not fit ${`decimal(${t.precision},${t.scale})`}`);
      }
      case 'float64':
        return Number(cell.text);
      case 'date':
        return num ? Math.floor(serialToMs(Number(cell.text), wb.date1904) / DAY_MS) : parseCell(cell.text, true, t);
      case 'timestamp':
        return num ? (BigInt(serialToMs(Number(cell.text), wb.date1904)) * unitsPerSecond(t.unit)) / 1000n : parseCell(cell.text, true, t);
      default:
        return parseCell(cell.text, true, t);
    }
  } catch (e) {
    if (e instanceof FerryError) throw e;
    return fail((e as Error).message);
  }
}
