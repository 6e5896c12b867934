import { useCallback, useMemo, useState } from 'react';
import type { Entry } from '../../../../shared/connectors';
import { useApiQuery } from '../../api/use-api-query';
import { filterEntries, sortEntries, type SortState } from './sort';
import { useEndpointInfo } from './use-endpoint-info';
import { usePaneLocation, type PaneId } from './use-pane-location';
import { useSelection } from './use-selection';

const NO_ENTRIES: Entry[] = [];

/** Everything one browser pane knows: where it is, what it lists, how it is sorted and filtered, what is selected. */
export function usePane(id: PaneId) {
  const location = usePaneLocation(id);
  const info = useEndpointInfo(location.endpoint);
  const listing = useApiQuery(
    'fs.list',
    { endpoint: location.endpoint, path: location.path ?? '/' },
    { enabled: location.path !== null, refetchOnMount: true },
  );
  const [sort, setSort] = useState<SortState>({ key: 'name', desc: false });
  const [showHidden, setShowHidden] = useState(() => localStorage.getItem(`ferry.showHidden.${id}`) === '1');
  const [filter, setFilter] = useState('');

  const listed = listing.data?.entries ?? NO_ENTRIES;
  const entries = useMemo(() => (info.database ? asTables(listed) : listed), [listed, info.database]);
  // Sort once per listing or sort change; the quick filter then only scans the sorted array.
  const sorted = useMemo(() => sortEntries(entries, sort), [entries, sort]);
  const rows = useMemo(() => filterEntries(sorted, showHidden, filter), [sorted, showHidden, filter]);
  const names = useMemo(() => rows.map((r) => r.name), [rows]);
  const sel = useSelection(names, `${location.endpoint}\n${location.path}`);

  // Moving the cursor re-selects on every key press: look a few names up instead of scanning 100,000 rows.
  const byName = useMemo(() => new Map(rows.map((r, i) => [r.name, i])), [rows]);
  const selectedEntries = useMemo(() => {
    const selected = sel.selection.selected;
    if (selected.size === 0) return NO_ENTRIES;
    if (selected.size > 1000) return rows.filter((r) => selected.has(r.name));
    const idx = [...selected].map((n) => byName.get(n)).filter((i): i is number => i !== undefined);
    return idx.sort((a, b) => a - b).map((i) => rows[i]);
  }, [rows, byName, sel.selection.selected]);
  const dirCount = useMemo(() => rows.reduce((n, r) => n + (r.type === 'dir' ? 1 : 0), 0), [rows]);

  const toggleHidden = useCallback(() => {
    setShowHidden((v) => {
      localStorage.setItem(`ferry.showHidden.${id}`, v ? '0' : '1');
      return !v;
    });
  }, [id]);

  return {
    id,
    ...location,
    info,
    listing,
    sort,
    setSort,
    showHidden,
    toggleHidden,
    filter,
    setFilter,
    rows,
    names,
    ...sel,
    selectedEntries,
    dirCount,
  };
}

export type PaneModel = ReturnType<typeof usePane>;

/** A database's entries under a schema are its tables, even from a connector whose listing does not say their kind or row estimate. */
function asTables(entries: readonly Entry[]): readonly Entry[] {
  if (entries.every((e) => e.type !== 'file' || e.table)) return entries;
  return entries.map((e) => (e.type === 'file' && !e.table ? { ...e, table: { kind: 'table' as const, rowEstimate: null } } : e));
}
