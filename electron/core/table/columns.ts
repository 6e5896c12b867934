import type { Batch, ColumnVector, LogicalType, Value } from './types';

/**
 * Column-major batches (types.ts ColumnVector): the fast path between readers and writers. A batch made of
 * columns still has `rows`, built on first use, so every consumer of the row form (the database stores,
 * xlsx, JSON) works unchanged; the CSV and Parquet codecs read the columns and never build the rows.
 */
export class ColumnBatch implements Batch {
  private built: Value[][] | null = null;

  constructor(
    readonly columns: ColumnVector[],
    private readonly types: LogicalType[],
    readonly length: number,
    readonly origins?: number[],
  ) {}

  /** Whether `rows` was read (and may since have been changed in place). */
  get rowsBuilt(): boolean {
    return this.built !== null;
  }

  get rows(): Value[][] {
    if (!this.built) {
      const rows: Value[][] = new Array(this.length);
      for (let i = 0; i < this.length; i++) rows[i] = new Array(this.columns.length);
      for (let c = 0; c < this.columns.length; c++) {
        const get = valueGetter(this.columns[c], this.types[c]);
        for (let i = 0; i < this.length; i++) rows[i][c] = get(i);
      }
      this.built = rows;
    }
    return this.built;
  }
}

/** How many rows a batch holds, whichever form it has. */
export function batchLength(b: Batch): number {
  if (b instanceof ColumnBatch && !b.rowsBuilt) return b.length;
  return b.rows.length;
}

/** Types whose values are bigints in the row form (types.ts), kept as exact doubles in a 'numbers' vector. */
export function isBigKind(t: LogicalType): boolean {
  return t.kind === 'int64' || t.kind === 'decimal' || t.kind === 'time' || t.kind === 'timestamp';
}

/** Types a 'numbers' vector can hold. */
export function isFixedWidth(t: LogicalType): boolean {
  return isBigKind(t) || t.kind === 'int32' || t.kind === 'date' || t.kind === 'float64' || t.kind === 'boolean';
}

/** Row i of a column as the Value the row form holds (bigint for int64-like types, boolean for boolean). */
export function valueGetter(v: ColumnVector, t: LogicalType): (i: number) => Value {
  if (v.kind === 'values') {
    const values = v.values;
    return (i) => values[i] ?? null;
  }
  const { values, nulls } = v;
  if (isBigKind(t)) return nulls ? (i) => (nulls[i] ? null : BigInt(values[i])) : (i) => BigInt(values[i]);
  if (t.kind === 'boolean') return nulls ? (i) => (nulls[i] ? null : values[i] !== 0) : (i) => values[i] !== 0;
  return nulls ? (i) => (nulls[i] ? null : values[i]) : (i) => values[i];
}

/**
 * A column of one batch. The columns are taken only from a ColumnBatch whose rows nobody has asked for:
 * once `rows` was read it may have been changed in place (a load transform), and an object copied from a
 * batch ({ ...batch, rows }) may carry columns that no longer match its rows. Otherwise the rows decide.
 */
export function columnOf(b: Batch, c: number): ColumnVector {
  if (b instanceof ColumnBatch && !b.rowsBuilt) return b.columns[c];
  const rows = b.rows;
  const values: Value[] = new Array(rows.length);
  for (let i = 0; i < rows.length; i++) values[i] = rows[i][c] ?? null;
  return { kind: 'values', values };
}

/**
 * Builds one 'numbers' column, falling back to 'values' when a value does not fit a double exactly (an
 * int64 beyond 2^53, a nanosecond timestamp far from 1970): then every value is kept as its Value.
 */
export class NumberColumnBuilder {
  private values: Float64Array;
  private nulls: Uint8Array | null = null;
  private generic: Value[] | null = null;
  length = 0;

  constructor(
    private readonly type: LogicalType,
    capacity: number,
  ) {
    this.values = new Float64Array(capacity);
  }

  pushNumber(n: number): void {
    if (this.generic) this.generic.push(this.toValue(n));
    else {
      if (this.length === this.values.length) this.grow();
      this.values[this.length] = n;
    }
    this.length++;
  }

  pushNull(): void {
    if (this.generic) this.generic.push(null);
    else {
      if (this.length === this.values.length) this.grow();
      (this.nulls ??= new Uint8Array(this.values.length))[this.length] = 1;
    }
    this.length++;
  }

  /** A value from the slow path (bigint, number, boolean or null). */
  pushValue(v: Value): void {
    if (v === null) return this.pushNull();
    if (typeof v === 'number') return this.pushNumber(v);
    if (typeof v === 'boolean') return this.pushNumber(v ? 1 : 0);
    if (typeof v === 'bigint' && v >= -MAX_SAFE && v <= MAX_SAFE) return this.pushNumber(Number(v));
    if (!this.generic) {
      const get = valueGetter({ kind: 'numbers', values: this.values, nulls: this.nulls }, this.type);
      this.generic = Array.from({ length: this.length }, (_, i) => get(i));
    }
    this.generic.push(v);
    this.length++;
  }

  finish(): ColumnVector {
    if (this.generic) return { kind: 'values', values: this.generic };
    const values = this.length === this.values.length ? this.values : this.values.subarray(0, this.length);
    return { kind: 'numbers', values, nulls: this.nulls && this.nulls.subarray(0, this.length) };
  }

  private grow(): void {
    const values = new Float64Array(Math.max(16, this.values.length * 2));
    values.set(this.values);
    this.values = values;
    if (this.nulls) {
      const nulls = new Uint8Array(values.length);
      nulls.set(this.nulls);
      this.nulls = nulls;
    }
  }

  private toValue(n: number): Value {
    return isBigKind(this.type) ? BigInt(n) : this.type.kind === 'boolean' ? n !== 0 : n;
  }
}

const MAX_SAFE = BigInt(Number.MAX_SAFE_INTEGER);
