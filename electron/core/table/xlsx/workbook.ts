import { SaxesParser, type SaxesTagPlain } from 'saxes';
import { FerryError } from '../../errors';
import type { ByteSource } from '../types';
import { entryChunks, entryText, type ZipEntry } from './zip';

/** The parts of a workbook a reader needs before a sheet: its sheets, date system, styles and shared strings. */
export interface Workbook {
  sheets: Array<{ name: string; path: string; hidden: boolean }>;
  date1904: boolean;
  /** Per cell style index (s="N"): whether its number format shows a date or a time. */
  dateStyles: Array<'date' | 'datetime' | null>;
  sharedStrings: string[];
}

export const SCHEMA_SHEET = '_ferry_schema';

function parseXml(text: string, onOpen: (t: SaxesTagPlain) => void, onText?: (t: string) => void, onClose?: (t: SaxesTagPlain) => void): void {
  const p = new SaxesParser();
  p.on('opentag', onOpen);
  if (onText) p.on('text', onText);
  if (onClose) p.on('closetag', onClose);
  p.write(text).close();
}

const local = (name: string) => name.slice(name.indexOf(':') + 1);

export async function readWorkbook(src: ByteSource, dir: Map<string, ZipEntry>, signal?: AbortSignal): Promise<Workbook> {
  const need = (name: string) => {
    const e = dir.get(name);
    if (!e) throw new FerryError('INVALID_INPUT', `${src.label} is a zip file but not an Excel workbook (no ${name})`, { detail: { file: src.label } });
    return e;
  };
  const sheetsRaw: Array<{ name: string; rid: string; hidden: boolean }> = [];
  let date1904 = false;
  parseXml(await entryText(src, need('xl/workbook.xml'), signal), (t) => {
    const n = local(t.name);
    if (n === 'sheet') {
      const rid = Object.entries(t.attributes).find(([k]) => local(k) === 'id' && k !== 'sheetId')?.[1] ?? '';
      sheetsRaw.push({ name: t.attributes.name, rid, hidden: t.attributes.state === 'hidden' || t.attributes.state === 'veryHidden' });
    } else if (n === 'workbookPr') date1904 = t.attributes.date1904 === '1' || t.attributes.date1904 === 'true';
  });
  const targets = new Map<string, string>();
  const rels = dir.get('xl/_rels/workbook.xml.rels');
  if (rels) {
    parseXml(await entryText(src, rels, signal), (t) => {
      if (local(t.name) === 'Relationship') targets.set(t.attributes.Id, t.attributes.Target);
    });
  }
  const sheets = sheetsRaw.map((s, i) => {
    const target = targets.get(s.rid) ?? `worksheets/sheet${i + 1}.xml`;
    const path = target.startsWith('/') ? target.slice(1) : `xl/${target}`;
    return { name: s.name, path, hidden: s.hidden };
  });
  const styles = dir.get('xl/styles.xml');
  const dateStyles = styles ? parseStyles(await entryText(src, styles, signal)) : [];
  const ss = dir.get('xl/sharedStrings.xml');
  const sharedStrings = ss ? await readSharedStrings(src, ss, signal) : [];
  return { sheets, date1904, dateStyles, sharedStrings };
}

const BUILTIN_DATE = new Set([14, 15, 16, 17, 22, 27, 30, 36, 50, 57]);
const BUILTIN_TIME = new Set([18, 19, 20, 21, 45, 46, 47]);

/** A custom number format shows a date when it has d, m or y (or h, s) outside quotes, brackets and escapes. */
function formatKind(code: string): 'date' | 'datetime' | null {
  const bare = code.replace(/"[^"]*"|\[[^\]]*\]|\\.|_.|\*./g, '');
  const hasTime = /[hs]/i.test(bare);
  // 'm' is minutes next to h or s, months otherwise.
  const hasDate = /[dy]/i.test(bare) || (/m/i.test(bare) && !hasTime);
  return hasDate && hasTime ? 'datetime' : hasDate ? 'date' : hasTime ? 'datetime' : null;
}

function parseStyles(xml: string): Array<'date' | 'datetime' | null> {
  const custom = new Map<number, string>();
  const xfs: number[] = [];
  let inCellXfs = false;
  parseXml(
    xml,
    (t) => {
      const n = local(t.name);
      if (n === 'numFmt') custom.set(Number(t.attributes.numFmtId), t.attributes.formatCode ?? '');
      else if (n === 'cellXfs') inCellXfs = true;
      else if (n === 'xf' && inCellXfs) xfs.push(Number(t.attributes.numFmtId ?? 0));
    },
    undefined,
    (t) => {
      if (local(t.name) === 'cellXfs') inCellXfs = false;
    },
  );
  return xfs.map((id) => (custom.has(id) ? formatKind(custom.get(id)!) : BUILTIN_DATE.has(id) ? 'date' : BUILTIN_TIME.has(id) ? 'datetime' : null));
}

/** The shared strings table (held in memory: sheets refer to it by index from anywhere). */
async function readSharedStrings(src: ByteSource, e: ZipEntry, signal?: AbortSignal): Promise<string[]> {
  const out: string[] = [];
  let cur: string | null = null;
  let inT = false;
  let inRph = false;
  const p = new SaxesParser();
  p.on('opentag', (t) => {
    const n = local(t.name);
    if (n === 'si') cur = '';
    else if (n === 't' && !inRph) inT = true;
    else if (n === 'rPh') inRph = true;
  });
  p.on('text', (text) => {
    if (inT && cur !== null) cur += text;
  });
  p.on('closetag', (t) => {
    const n = local(t.name);
    if (n === 't') inT = false;
    else if (n === 'rPh') inRph = false;
    else if (n === 'si') {
      out.push(cur ?? '');
      cur = null;
    }
  });
  const dec = new TextDecoder('utf-8');
  for await (const c of entryChunks(src, e, signal)) p.write(dec.decode(c, { stream: true }));
  p.write(dec.decode()).close();
  return out;
}
