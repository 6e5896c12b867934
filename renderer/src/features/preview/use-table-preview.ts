import { useEffect, useMemo, useSyncExternalStore } from 'react';
import type { Preview, TableReadOptions } from '../../../../shared/table';
import { api } from '../../api/client';
import { toClientError, type FerryClientError } from '../../api/errors';
import { addPage, emptyCache, evictPages, PAGE_SIZE, pagesToFetch, type PageCacheState } from './page-cache';
import type { Stats, Warning } from './table-view';

/** The file a preview shows. */
export interface PreviewTarget {
  endpoint: string;
  path: string;
  name: string;
  /** Where it is, in words ("This computer", "Partner SFTP"). */
  label: string;
}

/** What the latest answer said about the file (everything but its rows). */
export type PreviewMeta = Omit<Preview, 'rows'>;

export interface PreviewSnapshot {
  cache: PageCacheState;
  meta: PreviewMeta | null;
  /** The first page failed: the file cannot be shown (the panel shows why). */
  error: FerryClientError | null;
  /** A later page failed (page index → error); the rows already shown stay. */
  pageErrors: ReadonlyMap<number, FerryClientError>;
  loadingPages: ReadonlySet<number>;
  /** Per page loaded: its column stats and warnings (the schema view and warnings list merge them). */
  stats: readonly (readonly Stats[])[];
  warnings: readonly (readonly Warning[])[];
  /** Bytes the first page cost, and every page together, with how many requests. */
  bytes: { first: number; total: number; requests: number };
}

const EMPTY: PreviewSnapshot = {
  cache: emptyCache(),
  meta: null,
  error: null,
  pageErrors: new Map(),
  loadingPages: new Set(),
  stats: [],
  warnings: [],
  bytes: { first: 0, total: 0, requests: 0 },
};

/**
 * One file read with one set of options: pages of rows fetched as the grid shows them (table.preview with
 * offset/limit), at most MAX_IN_FLIGHT at once, kept in a bounded cache. A new file or new options is a new
 * session; answers to an old session are dropped.
 */
class PreviewSession {
  private snap: PreviewSnapshot = EMPTY;
  private listeners = new Set<() => void>();
  private view = { first: 0, last: 0 };
  private statsByPage = new Map<number, Stats[]>();
  private warningsByPage = new Map<number, Warning[]>();
  closed = false;

  constructor(
    readonly target: PreviewTarget,
    readonly options: TableReadOptions,
  ) {}

  subscribe = (l: () => void) => {
    this.listeners.add(l);
    return () => this.listeners.delete(l);
  };

  getSnapshot = () => this.snap;

  private set(patch: Partial<PreviewSnapshot>) {
    this.snap = { ...this.snap, ...patch };
    for (const l of this.listeners) l();
  }

  /** The grid shows rows first..last: fetch what is missing there (and a little ahead). */
  show(first: number, last: number) {
    this.view = { first, last };
    this.pump();
  }

  /** Asks again for a page that failed (or the first page). */
  retry(page?: number) {
    const pageErrors = new Map(this.snap.pageErrors);
    if (page === undefined) pageErrors.clear();
    else pageErrors.delete(page);
    this.set({ pageErrors, error: null });
    this.pump();
  }

  pump() {
    if (this.closed || this.snap.error) return;
    // Nothing but the first page until it answered: it says how many rows there are.
    if (!this.snap.meta) {
      if (this.snap.loadingPages.size === 0) void this.fetch(0);
      return;
    }
    const failed = new Set(this.snap.pageErrors.keys());
    for (const p of pagesToFetch(this.snap.cache, this.view.first, this.view.last, this.snap.loadingPages, failed)) void this.fetch(p);
  }

  private async fetch(page: number) {
    this.set({ loadingPages: new Set([...this.snap.loadingPages, page]) });
    let res: Preview | undefined;
    let err: FerryClientError | undefined;
    try {
      res = await api.call('table.preview', {
        endpoint: this.target.endpoint,
        path: this.target.path,
        offset: page * PAGE_SIZE,
        limit: PAGE_SIZE,
        options: this.options,
      });
    } catch (e) {
      err = toClientError(e);
    }
    if (this.closed) return;
    const loadingPages = new Set(this.snap.loadingPages);
    loadingPages.delete(page);
    if (res) {
      const { rows, ...meta } = res;
      let cache = addPage(this.snap.cache, { index: page, rows, more: res.more }, res.rowCount);
      cache = evictPages(cache, this.view.first, this.view.last);
      this.statsByPage.set(page, res.stats);
      if (res.warnings.length > 0) this.warningsByPage.set(page, res.warnings);
      const b = this.snap.bytes;
      this.set({
        cache,
        // The columns are the first page's; later pages only add what they learned (row count, warnings, bytes).
        meta: this.snap.meta ? { ...meta, columns: this.snap.meta.columns } : meta,
        loadingPages,
        stats: [...this.statsByPage.entries()].sort((a, c) => a[0] - c[0]).map((e) => e[1]),
        warnings: [...this.warningsByPage.entries()].sort((a, c) => a[0] - c[0]).map((e) => e[1]),
        bytes: { first: b.requests === 0 ? res.bytesRead : b.first, total: b.total + res.bytesRead, requests: b.requests + 1 },
      });
    } else if (err) {
      if (!this.snap.meta) this.set({ loadingPages, error: err });
      else this.set({ loadingPages, pageErrors: new Map([...this.snap.pageErrors, [page, err]]) });
    }
    this.pump();
  }
}

/** The preview of one file with the user's read options (every sniffed choice they overrode). */
export function useTablePreview(target: PreviewTarget | null, options: TableReadOptions) {
  const key = target ? JSON.stringify([target.endpoint, target.path, options]) : '';
  const session = useMemo(() => (target ? new PreviewSession(target, options) : null), [key]);
  useEffect(() => {
    if (!session) return;
    session.closed = false;
    session.pump();
    return () => {
      session.closed = true;
    };
  }, [session]);
  const snapshot = useSyncExternalStore(session?.subscribe ?? noSubscribe, session?.getSnapshot ?? emptySnapshot);
  const actions = useMemo(
    () => ({
      show: (first: number, last: number) => session?.show(first, last),
      retry: (page?: number) => session?.retry(page),
    }),
    [session],
  );
  return { snapshot, ...actions };
}

const noSubscribe = () => () => {};
const emptySnapshot = () => EMPTY;
