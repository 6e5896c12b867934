import { Zip, ZipDeflate } from 'fflate';
import { FerryError } from '../../errors';
import type { Batch, LogicalType, Schema, Value, WriteOptions } from '../types';
import { DAY_MS, formatDecimal, unitsPerSecond, valueToText } from '../values';
import { SCHEMA_SHEET } from './workbook';

/** Rows per sheet, the header included (Excel's limit). */
export const EXCEL_MAX_ROWS = 1_048_576;

/**
 * A streaming xlsx writer (OOXML by hand over fflate's streaming zip): rows are turned into sheet XML and
 * deflated batch by batch, so a 1M-row sheet never sits in memory. Values Excel holds exactly are native
 * cells (numbers, booleans, dates from 1900-03-01 and ms-exact timestamps as date-formatted serials);
 * the rest (int64 beyond 2^53, decimals over 15 digits, sub-millisecond timestamps, older dates) are text
 * cells. A hidden sheet "_ferry_schema" keeps the logical types, so Ferry reads its own files back exactly.
 */
export async function* writeXlsx(schema: Schema, batches: AsyncIterable<Batch>, opts: WriteOptions & { maxRows?: number }): AsyncIterable<Uint8Array> {
  const maxRows = opts.maxRows ?? EXCEL_MAX_ROWS;
  const sheetName = (opts.sheetName ?? 'Sheet1').slice(0, 31);
  const out: Uint8Array[] = [];
  let failure: Error | null = null;
  const zip = new Zip((err, chunk) => {
    if (err) failure = err;
    else out.push(chunk);
  });
  const add = (name: string, text: string) => {
    const f = new ZipDeflate(name, { level: 6 });
    zip.add(f);
    f.push(Buffer.from(text, 'utf8'), true);
  };
  add('[Content_Types].xml', CONTENT_TYPES);
  add('_rels/.rels', ROOT_RELS);
  add('xl/workbook.xml', workbookXml(sheetName));
  add('xl/_rels/workbook.xml.rels', WORKBOOK_RELS);
  add('xl/styles.xml', STYLES);
  const sheet = new ZipDeflate('xl/worksheets/sheet1.xml', { level: 6 });
  zip.add(sheet);
  const cols = schema.columns.map((_, i) => columnName(i));
  let xml = `${SHEET_HEAD}<row r="1">${schema.columns.map((c, i) => inlineString(`${cols[i]}1`, c.name)).join('')}</row>`;
  let row = 1;
  const drain = function* () {
    if (failure) throw failure;
    while (out.length) yield out.shift()!;
  };
  for await (const batch of batches) {
    opts.signal?.throwIfAborted();
    for (const r of batch.rows) {
      row++;
      if (row > maxRows) {
        throw new FerryError('INVALID_INPUT', `Excel holds at most ${maxRows.toLocaleString('en-US')} rows per sheet (the header included); this table has more: write CSV or Parquet, or split it`, {
          detail: { limit: maxRows },
        });
      }
      let line = `<row r="${row}">`;
      for (let c = 0; c < cols.length; c++) line += cellXml(`${cols[c]}${row}`, r[c] ?? null, schema.columns[c].type);
      xml += line + '</row>';
    }
    sheet.push(Buffer.from(xml, 'utf8'));
    xml = '';
    yield* drain();
  }
  sheet.push(Buffer.from(xml + '</sheetData></worksheet>', 'utf8'), true);
  add('xl/worksheets/sheet2.xml', schemaSheet(sheetName, schema));
  zip.end();
  yield* drain();
}

function columnName(i: number): string {
  let s = '';
  for (let n = i + 1; n > 0; n = Math.floor((n - 1) / 26)) s = String.fromCharCode(65 + ((n - 1) % 26)) + s;
  return s;
}

/** XML text: markup escaped; characters XML cannot carry (and CR, which parsers fold) as Excel's _xHHHH_. */
function esc(s: string): string {
  return s
    .replace(/_x([0-9A-Fa-f]{4})_/g, '_x005F_x$1_')
    .replace(/[&<>"]/g, (c) => (c === '&' ? '&amp;' : c === '<' ? '&lt;' : c === '>' ? '&gt;' : '&quot;'))
    .replace(/[\u0000-\u0008\u000b\u000c\u000d\u000e-\u001f\ufffe\uffff]/g, (c) => `_x${c.charCodeAt(0).toString(16).toUpperCase().padStart(4, '0')}_`);
}

const inlineString = (ref: string, text: string) => `<c r="${ref}" t="inlineStr"><is><t xml:space="preserve">${esc(text)}</t></is></c>`;
const num = (ref: string, text: string, style = 0) => `<c r="${ref}"${style ? ` s="${style}"` : ''}><v>${text}</v></c>`;
const SERIAL_EPOCH = 25569; // 1970-01-01 in Excel's 1900 date system
const FIRST_EXACT_DAY = 61 - SERIAL_EPOCH; // 1900-03-01: before it the 1900 system's phantom leap day shifts dates

function cellXml(ref: string, v: Value, t: LogicalType): string {
  if (v === null) return '';
  switch (t.kind) {
    case 'boolean':
      return `<c r="${ref}" t="b"><v>${v ? 1 : 0}</v></c>`;
    case 'int32':
      return num(ref, String(v));
    case 'int64':
      return (v as bigint) <= 9007199254740991n && (v as bigint) >= -9007199254740991n ? num(ref, String(v)) : inlineString(ref, String(v));
    case 'decimal': {
      const text = formatDecimal(v as bigint, t.scale);
      return text.replace(/[-.]/g, '').replace(/^0+/, '').length <= 15 ? num(ref, text) : inlineString(ref, text);
    }
    case 'float64':
      return Number.isFinite(v as number) ? num(ref, String(v)) : inlineString(ref, valueToText(v, t)!);
    case 'date':
      return (v as number) >= FIRST_EXACT_DAY ? num(ref, String((v as number) + SERIAL_EPOCH), 1) : inlineString(ref, valueToText(v, t)!);
    case 'timestamp': {
      const perMs = unitsPerSecond(t.unit) / 1000n;
      const b = v as bigint;
      const ms = Number(b / perMs);
      if (b % perMs === 0n && ms >= FIRST_EXACT_DAY * DAY_MS) return num(ref, String(ms / DAY_MS + SERIAL_EPOCH), 2);
      return inlineString(ref, valueToText(v, t)!);
    }
    default:
      return inlineString(ref, valueToText(v, t) ?? '');
  }
}

function schemaSheet(sheet: string, schema: Schema): string {
  const rows = [['ferry-schema-v1', sheet], ...schema.columns.map((c) => [c.name, JSON.stringify(c.type)])];
  return `${SHEET_HEAD}${rows.map((r, i) => `<row r="${i + 1}">${inlineString(`A${i + 1}`, r[0])}${inlineString(`B${i + 1}`, r[1])}</row>`).join('')}</sheetData></worksheet>`;
}

const NS = 'http://schemas.openxmlformats.org';
const SHEET_HEAD = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}/spreadsheetml/2006/main"><sheetData>`;
const CONTENT_TYPES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Types xmlns="${NS}/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`;
const ROOT_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`;
const WORKBOOK_RELS = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<Relationships xmlns="${NS}/package/2006/relationships"><Relationship Id="rId1" Type="${NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="${NS}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet2.xml"/><Relationship Id="rId3" Type="${NS}/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`;
const workbookXml = (sheet: string) => `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<workbook xmlns="${NS}/spreadsheetml/2006/main" xmlns:r="${NS}/officeDocument/2006/relationships"><sheets><sheet name="${esc(sheet)}" sheetId="1" r:id="rId1"/><sheet name="${SCHEMA_SHEET}" sheetId="2" state="hidden" r:id="rId2"/></sheets></workbook>`;
const STYLES = `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<styleSheet xmlns="${NS}/spreadsheetml/2006/main"><numFmts count="1"><numFmt numFmtId="164" formatCode="yyyy-mm-dd hh:mm:ss.000"/></numFmts><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts><fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills><borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders><cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs><cellXfs count="3"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/><xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/><xf numFmtId="164" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs></styleSheet>`;
