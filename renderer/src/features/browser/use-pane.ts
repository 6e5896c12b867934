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

  const entries = listing.data?.entries ?? NO_ENTRIES;
  // Sort once per listing or sort change; the quick filter then only scans the sorted array.
  const sorted = useMemo(() => sortEntries(entries, sort), [entries, sort]);
  const rows = useMemo(() => filterEntries(sorted, showHidden, filter), [sorted, showHidden, filter]);
  const names = useMemo(() => rows.map((r) => r.name), [rows]);
  const sel = useSelection(names, `${location.endpoint}\n${location.path}`);

  const selectedEntries = useMemo(
    () => (sel.selection.selected.size === 0 ? NO_ENTRIES : rows.filter((r) => sel.selection.selected.has(r.name))),
    [rows, sel.selection.selected],
  );

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
  };
}

export type PaneModel = ReturnType<typeof usePane>;
