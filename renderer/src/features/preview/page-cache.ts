/**
 * Which rows of a previewed table are here, and which pages to ask the core for next. Pure: the hook
 * (use-table-preview.ts) owns one PageCache per file + read options and calls these as the grid scrolls.
 *
 * Rows are fetched in pages of PAGE_SIZE (table.preview with offset = page * PAGE_SIZE). When the format
 * knows the row count (Parquet's footer) the grid is that tall from the start; otherwise it is as tall as
 * the rows known so far, plus one "loading" row while the last page said `more`.
 */
export const PAGE_SIZE = 500;
/** At most this many requests at once: dragging the scrollbar across a 1M-row file must not fire 2,000. */
export const MAX_IN_FLIGHT = 2;
/** Pages kept in memory (rows × columns of JSON values); the ones farthest from the view are dropped first. */
export const MAX_PAGES = 120;
/** Rows beyond the visible ones whose pages are fetched ahead, so a steady scroll rarely shows a blank row. */
export const PREFETCH_ROWS = 200;

export interface Page {
  index: number;
  rows: unknown[][];
  /** The core said rows continue after this page. */
  more: boolean;
}

export interface PageCacheState {
  pages: Map<number, Page>;
  /** Total data rows when the format knows it; null until then (or for ever, for CSV/JSON). */
  rowCount: number | null;
  /** The highest page index known to exist (0 before anything arrived). */
  lastKnownPage: number;
  /** True once some page said `more: false`: its end is the table's end. */
  endKnown: boolean;
  /** Row count learned from the last page (when endKnown and rowCount is null). */
  endRow: number | null;
}

export function emptyCache(): PageCacheState {
  return { pages: new Map(), rowCount: null, lastKnownPage: 0, endKnown: false, endRow: null };
}

export const pageOf = (row: number, pageSize = PAGE_SIZE): number => Math.floor(row / pageSize);

/** Adds an arrived page (a new state; the old one is not changed). */
export function addPage(state: PageCacheState, page: Page, rowCount: number | null, pageSize = PAGE_SIZE): PageCacheState {
  const pages = new Map(state.pages);
  pages.set(page.index, page);
  let { lastKnownPage, endKnown, endRow } = state;
  if (page.more) lastKnownPage = Math.max(lastKnownPage, page.index + 1);
  else {
    lastKnownPage = Math.max(lastKnownPage, page.index);
    endKnown = true;
    endRow = page.index * pageSize + page.rows.length;
  }
  return { pages, rowCount: rowCount ?? state.rowCount, lastKnownPage, endKnown, endRow };
}

/** How many rows the grid has: the known count, else the rows seen so far plus a "loading" row while more follow. */
export function gridRowCount(state: PageCacheState, pageSize = PAGE_SIZE): number {
  if (state.rowCount !== null) return state.rowCount;
  if (state.endKnown && state.endRow !== null) return state.endRow;
  // Rows up to the end of the highest page seen, plus one placeholder that asks for the next page.
  let seen = 0;
  for (const p of state.pages.values()) seen = Math.max(seen, p.index * pageSize + p.rows.length);
  return seen + 1;
}

/** Rows the format says exist or that are known so far, for "N rows" / "at least N rows". */
export function describeRowCount(state: PageCacheState, pageSize = PAGE_SIZE): { count: number; exact: boolean } {
  if (state.rowCount !== null) return { count: state.rowCount, exact: true };
  if (state.endKnown && state.endRow !== null) return { count: state.endRow, exact: true };
  let seen = 0;
  for (const p of state.pages.values()) seen = Math.max(seen, p.index * pageSize + p.rows.length);
  return { count: seen, exact: false };
}

/** The row's values, or undefined while its page is not here. */
export function rowAt(state: PageCacheState, row: number, pageSize = PAGE_SIZE): unknown[] | undefined {
  const page = state.pages.get(pageOf(row, pageSize));
  return page?.rows[row - page.index * pageSize];
}

/** The highest page index that may exist: from the row count, or one past the last page that said `more`. */
export function maxPage(state: PageCacheState, pageSize = PAGE_SIZE): number {
  if (state.rowCount !== null) return Math.max(0, pageOf(Math.max(0, state.rowCount - 1), pageSize));
  return state.lastKnownPage;
}

/**
 * The pages to request now for the rows first..last on screen: missing ones (not cached, not in flight,
 * not failed), those on screen first, then the ones ahead and behind, at most `slots` of them.
 */
export function pagesToFetch(
  state: PageCacheState,
  first: number,
  last: number,
  inFlight: ReadonlySet<number>,
  failed: ReadonlySet<number> = new Set(),
  slots = MAX_IN_FLIGHT - inFlight.size,
  pageSize = PAGE_SIZE,
  prefetch = PREFETCH_ROWS,
): number[] {
  if (slots <= 0 || last < first) return [];
  const top = maxPage(state, pageSize);
  const wanted = (p: number) => p >= 0 && p <= top && !state.pages.has(p) && !inFlight.has(p) && !failed.has(p);
  const out: number[] = [];
  const push = (p: number) => {
    if (out.length < slots && wanted(p) && !out.includes(p)) out.push(p);
  };
  const lo = pageOf(first, pageSize);
  const hi = pageOf(last, pageSize);
  for (let p = lo; p <= hi && out.length < slots; p++) push(p);
  for (let p = hi + 1; p <= pageOf(last + prefetch, pageSize) && out.length < slots; p++) push(p);
  for (let p = lo - 1; p >= pageOf(Math.max(0, first - prefetch), pageSize) && out.length < slots; p--) push(p);
  return out;
}

/** Drops the pages farthest from the view when more than `keep` are held; never the pages on screen. */
export function evictPages(state: PageCacheState, first: number, last: number, keep = MAX_PAGES, pageSize = PAGE_SIZE): PageCacheState {
  if (state.pages.size <= keep) return state;
  const lo = pageOf(first, pageSize);
  const hi = pageOf(last, pageSize);
  const dist = (p: number) => (p < lo ? lo - p : p > hi ? p - hi : 0);
  const byDistance = [...state.pages.keys()].sort((a, b) => dist(b) - dist(a));
  const pages = new Map(state.pages);
  for (const p of byDistance) {
    if (pages.size <= keep || dist(p) === 0) break;
    pages.delete(p);
  }
  return { ...state, pages };
}
