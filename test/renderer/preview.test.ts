import { describe, expect, it } from 'vitest';
import {
  addPage,
  describeRowCount,
  emptyCache,
  evictPages,
  gridRowCount,
  maxPage,
  pageOf,
  pagesToFetch,
  rowAt,
  type PageCacheState,
} from '../../renderer/src/features/preview/page-cache';
import {
  cellText,
  columnWidths,
  delimiterChoice,
  errorWhere,
  isNumericType,
  mergeWarnings,
  summarizeColumns,
} from '../../renderer/src/features/preview/table-view';

/** The preview panel's pure logic: which pages of rows to ask for as the grid scrolls, and how cells show. */
const P = 10; // a small page size keeps the cases readable
const rows = (page: number, n = P) => Array.from({ length: n }, (_, i) => [page * P + i]);
const withPages = (pages: [number, number?, boolean?][], rowCount: number | null = null): PageCacheState =>
  pages.reduce((s, [i, n = P, more = true]) => addPage(s, { index: i, rows: rows(i, n), more }, rowCount, P), emptyCache());
const none = new Set<number>();

describe('the page cache', () => {
  it('finds a row in its page', () => {
    const s = withPages([[0], [3]]);
    expect(pageOf(37, P)).toBe(3);
    expect(rowAt(s, 37, P)).toEqual([37]);
    expect(rowAt(s, 5, P)).toEqual([5]);
    expect(rowAt(s, 15, P)).toBeUndefined();
  });

  it('is as tall as the row count when the format knows it (Parquet)', () => {
    const s = withPages([[0]], 123_456);
    expect(gridRowCount(s, P)).toBe(123_456);
    expect(maxPage(s, P)).toBe(12_345);
    expect(describeRowCount(s, P)).toEqual({ count: 123_456, exact: true });
  });

  it('grows as pages arrive while more follow, with one placeholder row that asks for the next page (CSV)', () => {
    let s = withPages([[0]]);
    expect(gridRowCount(s, P)).toBe(11);
    expect(describeRowCount(s, P)).toEqual({ count: 10, exact: false });
    expect(pagesToFetch(s, 5, 10, none, none, 2, P, 0)).toEqual([1]);
    s = addPage(s, { index: 1, rows: rows(1, 4), more: false }, null, P);
    expect(gridRowCount(s, P)).toBe(14);
    expect(describeRowCount(s, P)).toEqual({ count: 14, exact: true });
    expect(pagesToFetch(s, 0, 13, none, none, 2, P, 100)).toEqual([]);
  });

  it('never asks past the known end, nor for a page it has, is fetching, or that failed', () => {
    const s = withPages([[0], [1]], 45); // pages 0..4
    expect(pagesToFetch(s, 0, 44, none, none, 10, P, 0)).toEqual([2, 3, 4]);
    expect(pagesToFetch(s, 0, 44, new Set([2]), new Set([3]), 10, P, 0)).toEqual([4]);
  });

  it('fetches the pages on screen first, then one ahead and one behind, within the free slots', () => {
    const s = withPages([[0]], 10_000);
    // Rows 500..520 on screen (pages 50, 51, 52), 30 rows prefetch: 53, 54, 55 ahead, then 49, 48, 47 behind.
    expect(pagesToFetch(s, 500, 520, none, none, 10, P, 30)).toEqual([50, 51, 52, 53, 54, 55, 49, 48, 47]);
    expect(pagesToFetch(s, 500, 520, none, none, 2, P, 30)).toEqual([50, 51]);
    expect(pagesToFetch(s, 500, 520, new Set([1, 2]), none, 0, P, 30)).toEqual([]);
  });

  it('a scrollbar dragged to the end of a million rows asks for the last page only, not every page on the way', () => {
    const s = withPages([[0]], 1_000_000);
    expect(pagesToFetch(s, 999_980, 999_999, none, none, 2, P, 0)).toEqual([99_998, 99_999]);
  });

  it('drops the pages farthest from the view first, never the ones on screen', () => {
    const s = withPages([[0], [1], [2], [3], [8], [9]], 100);
    const kept = evictPages(s, 80, 95, 3, P);
    expect([...kept.pages.keys()].sort((a, b) => a - b)).toEqual([3, 8, 9]);
    expect(evictPages(s, 0, 99, 2, P).pages.size).toBe(6);
    expect(evictPages(s, 0, 5, 10, P)).toBe(s);
  });
});

describe('showing cells', () => {
  it('tells NULL from the empty string', () => {
    expect(cellText(null)).toBeNull();
    expect(cellText(undefined)).toBeNull();
    expect(cellText('')).toBe('');
  });

  it('shows values in their contract form: exact strings, booleans, nested JSON', () => {
    expect(cellText('9007199254740993')).toBe('9007199254740993');
    expect(cellText(1.5)).toBe('1.5');
    expect(cellText(false)).toBe('false');
    expect(cellText([1, { a: 'x' }])).toBe('[1,{"a":"x"}]');
  });

  it('right-aligns numbers only', () => {
    expect(['int32', 'int64', 'float64', 'decimal(38,9)', 'decimal(10, 2)'].every(isNumericType)).toBe(true);
    expect(['string', 'date', 'timestamp[us, UTC]', 'boolean', 'list<int32>', 'time[ms]'].some(isNumericType)).toBe(false);
  });

  it('sizes columns to their header and values, within bounds', () => {
    const [a, b, c] = columnWidths(
      [
        { name: 'id', type: 'int32' },
        { name: 'description', type: 'string' },
        { name: 'x', type: 'string' },
      ],
      [[1, 'a'.repeat(500), null]],
    );
    expect(a).toBeGreaterThanOrEqual(72);
    expect(b).toBeLessThanOrEqual(360);
    expect(b).toBeGreaterThan(a);
    expect(c).toBe(72);
  });

  it('maps a delimiter to its choice, or "other"', () => {
    expect([',', ';', '\t', '|', '~', '::'].map(delimiterChoice)).toEqual([',', ';', '\t', '|', 'other', 'other']);
  });
});

describe('the schema view and warnings over every page loaded', () => {
  it('adds NULLs and keeps the first distinct examples', () => {
    const cols = [{ name: 'a', type: 'int32' }];
    const out = summarizeColumns(cols, [[{ name: 'a', nulls: 2, examples: ['1', '2'] }], [{ name: 'a', nulls: 3, examples: ['2', '3', '4'] }]]);
    expect(out).toEqual([{ name: 'a', type: 'int32', nulls: 5, examples: ['1', '2', '3'] }]);
  });

  it('lists each warning once, by line', () => {
    const w = (line?: number) => ({ code: 'RAGGED_ROW', message: 'row has 3 fields, the header 2', line });
    expect(mergeWarnings([[w(9), w(3)], [w(3), w(undefined), w(1)]]).map((x) => x.line)).toEqual([1, 3, 9, undefined]);
  });

  it("says where an error is from its detail, in a useful order, and never shows a stack", () => {
    expect(errorWhere({ stack: 'Error: at x.ts:1', column: 'price', line: 42, file: 'orders.csv', nested: { a: 1 } })).toEqual([
      { label: 'file', value: 'orders.csv' },
      { label: 'line', value: '42' },
      { label: 'column', value: 'price' },
    ]);
    expect(errorWhere({ rowGroup: 3 })).toEqual([{ label: 'row group', value: '3' }]);
    // Not the file again when the message names it, nor the protocol's internals.
    expect(errorWhere({ file: 'a.csv', line: 2, op: 'stat', status: 2 }, 'a.csv: bad quote')).toEqual([{ label: 'line', value: '2' }]);
    expect(errorWhere(undefined)).toEqual([]);
  });
});
