import type { Column } from '../types';
import type { CellColumn } from './cells';
import type { FieldSink } from './tokenizer';

/**
 * The CSV reader's side of the tokenizer (tokenizer.ts FieldSink): each field goes straight into its
 * column (cells.ts) as the tokenizer finds it, so no record is built; each record that ends adds its row.
 * Records before `skip` (the header, an offset) and after `limit` are passed over; short records get
 * NULLs, long ones lose their extra fields (kept as text for a checked load's rejects).
 */
export interface RowEvents {
  /** A full set of rows is ready: take the columns (and start new ones). */
  full(): void;
  ragged(line: number, fields: number): void;
  /** A cell that is not of its column's type: `error` from cells.ts, the cell's text. */
  badCell(error: unknown, column: number, text: string): never;
}

export class RowSink implements FieldSink {
  cols: CellColumn[];
  origins: number[] = [];
  /** Extra fields of long rows, by row index in the current set (only when `keepExtras`). */
  extras = new Map<number, string[]>();
  private c = 0;
  private rowExtras: string[] | null = null;
  private left: number;

  constructor(
    private readonly columns: Column[],
    private readonly newColumns: () => CellColumn[],
    private skip: number,
    limit: number,
    private readonly batchRows: number,
    private readonly keepExtras: boolean,
    private readonly events: RowEvents,
  ) {
    this.cols = newColumns();
    this.left = limit;
  }

  /** The limit was reached: the rest of the file is not wanted. */
  get done(): boolean {
    return this.left <= 0;
  }

  field(text: string, start: number, end: number, quoted: boolean): void {
    if (this.skip > 0 || this.left <= 0) return;
    const c = this.c++;
    if (c < this.cols.length) {
      try {
        this.cols[c].push(text, start, end, quoted);
      } catch (e) {
        this.events.badCell(e, c, text.slice(start, end));
      }
    } else if (this.keepExtras) (this.rowExtras ??= []).push(text.slice(start, end));
  }

  record(line: number, fields: number): void {
    if (this.skip > 0) {
      this.skip--;
      return;
    }
    if (this.left <= 0) return;
    const width = this.columns.length;
    if (fields !== width) {
      this.events.ragged(line, fields);
      for (let c = fields; c < width; c++) this.cols[c].pushMissing();
    }
    if (this.rowExtras) {
      this.extras.set(this.origins.length, this.rowExtras);
      this.rowExtras = null;
    }
    this.c = 0;
    this.origins.push(line);
    this.left--;
    if (this.origins.length >= this.batchRows) this.events.full();
  }

  /**
   * Hands out the rows so far as a set of their own (`full`), however few; not while a record has given
   * some of its fields (they are in the columns already, and its other fields would go to the next set).
   */
  flush(): void {
    if (this.c === 0 && this.origins.length) this.events.full();
  }

  /** Starts the next set of rows (after `full`, or after the last rows were taken). */
  reset(): void {
    this.cols = this.newColumns();
    this.origins = [];
    this.extras = new Map();
  }
}
