import mysql from 'mysql2';
import type { Batch, LogicalType, Value } from '../../table/types';
import { convertUnit, formatDate, formatDecimal, formatTime, formatTimestamp, toJsonValue } from '../../table/values';

/**
 * The rows of a load in the two forms MySQL takes them: LOAD DATA's own text (tab-separated, \N for NULL,
 * backslash escapes, so no quoting rule of a CSV dialect can be misread) and, where LOAD DATA LOCAL is
 * off, multi-row INSERT statements with every value a literal. Values are written exactly as their
 * logical type says: booleans as 1/0, timestamps as UTC wall-clock text (the session's time_zone is
 * +00:00), nanoseconds truncated to MySQL's microseconds, binary as hex.
 */

/** Binary values travel as hex and are turned back into bytes by UNHEX() in the statement. */
export const needsUnhex = (t: LogicalType) => t.kind === 'binary';

type Text = (v: Value) => string;

function valueText(t: LogicalType): Text {
  switch (t.kind) {
    case 'boolean':
      return (v) => (v ? '1' : '0');
    case 'int32':
    case 'int64':
    case 'float64':
      return (v) => String(v);
    case 'decimal':
      return (v) => formatDecimal(v as bigint, t.scale);
    case 'binary':
      return (v) => Buffer.from(v as Uint8Array).toString('hex');
    case 'date':
      return (v) => formatDate(v as number);
    case 'time':
      return (v) => formatTime(convertUnit(v as bigint, t.unit, 'us'), 'us');
    case 'timestamp':
      return (v) => formatTimestamp(convertUnit(v as bigint, t.unit, 'us'), 'us', null).replace('T', ' ');
    case 'list':
    case 'struct':
      return (v) => JSON.stringify(toJsonValue(v, t));
    default:
      return (v) => v as string;
  }
}

const SPECIAL = /[\\\t\n\r\0]/;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** LOAD DATA ... FIELDS TERMINATED BY '\t' ESCAPED BY '\\' LINES TERMINATED BY '\n', a Buffer per batch. */
export async function* loadDataText(types: LogicalType[], batches: AsyncIterable<Batch>): AsyncGenerator<Buffer> {
  const texts = types.map(valueText);
  const free = types.map((t) => !['string', 'json', 'list', 'struct'].includes(t.kind));
  for await (const batch of batches) {
    let out = '';
    for (const row of batch.rows) {
      for (let c = 0; c < texts.length; c++) {
        if (c) out += '\t';
        const v = row[c] ?? null;
        if (v === null) {
          out += '\\N';
          continue;
        }
        const s = texts[c](v);
        out += free[c] || !SPECIAL.test(s) ? s : s.replace(/[\\\t\n\r\0]/g, (ch) => ESCAPES[ch]);
      }
      out += '\n';
    }
    yield Buffer.from(out, 'utf8');
  }
}

/** Statements of about this many characters (well under max_allowed_packet, 16 MiB by default). */
const INSERT_CHARS = 1 << 20;

/** Multi-row INSERTs of the batches' rows; firstRow is how many rows came before the statement's first. */
export async function* insertStatements(into: string, columns: string[], types: LogicalType[], batches: AsyncIterable<Batch>): AsyncGenerator<{ sql: string; firstRow: number }> {
  const texts = types.map(valueText);
  const literal = types.map((t, c): Text => {
    if (t.kind === 'binary') return (v) => `X'${texts[c](v)}'`;
    if (['boolean', 'int32', 'int64', 'decimal'].includes(t.kind)) return texts[c];
    return (v) => mysql.escape(texts[c](v));
  });
  const head = `INSERT INTO ${into} (${columns.map((c) => `\`${c.replace(/`/g, '``')}\``).join(', ')}) VALUES `;
  let sql = '';
  let firstRow = 0;
  let rows = 0;
  for await (const batch of batches) {
    for (const row of batch.rows) {
      let tuple = '(';
      for (let c = 0; c < literal.length; c++) {
        const v = row[c] ?? null;
        tuple += (c ? ',' : '') + (v === null ? 'NULL' : literal[c](v));
      }
      sql += (sql ? ',' : head) + tuple + ')';
      rows++;
      if (sql.length >= INSERT_CHARS) {
        yield { sql, firstRow };
        firstRow = rows;
        sql = '';
      }
    }
  }
  if (sql) yield { sql, firstRow };
}

/**
 * Row number sent (1-based) → the source's line or row. One entry per batch; a batch whose origins run
 * without gaps (the usual CSV) keeps only its first, so a load of any size stays small.
 */
export class RowOrigins {
  private starts: number[] = [];
  private firsts: number[] = [];
  private lists: (number[] | null)[] = [];

  add(start: number, count: number, origins?: number[]): void {
    if (!count) return;
    this.starts.push(start);
    const o = origins && origins.length === count ? origins : null;
    const consecutive = !o || o[count - 1] - o[0] === count - 1;
    this.firsts.push(o ? o[0] : start + 1);
    this.lists.push(consecutive ? null : o);
  }

  at(row: number): number | undefined {
    const i = row - 1;
    let lo = 0;
    let hi = this.starts.length - 1;
    if (hi < 0 || i < 0) return undefined;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= i) lo = mid;
      else hi = mid - 1;
    }
    const k = i - this.starts[lo];
    const list = this.lists[lo];
    return list ? list[k] : this.firsts[lo] + k;
  }
}
