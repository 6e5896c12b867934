import classes from './FileTable.module.css';
import type { SortKey, SortState } from './sort';

const COLUMNS: { key: SortKey; label: string; right?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size', right: true },
  { key: 'modified', label: 'Modified' },
  { key: 'kind', label: 'Kind' },
];

/** Click a column to sort by it; click again to reverse. Folders always stay first. A database's tables show their row estimate where files show a date. */
export function FileTableHeader({ sort, onSort, database }: { sort: SortState; onSort: (s: SortState) => void; database: boolean }) {
  return (
    <div className={classes.header} role="row">
      {COLUMNS.map((c) => ({ ...c, label: database && c.key === 'modified' ? 'Rows' : c.label })).map((c) => {
        const active = sort.key === c.key;
        return (
          <button
            key={c.key}
            type="button"
            role="columnheader"
            aria-sort={active ? (sort.desc ? 'descending' : 'ascending') : 'none'}
            className={`${classes.headerCell} ${c.right ? classes.right : ''}`}
            data-testid={`sort-${c.key}`}
            onClick={() => onSort({ key: c.key, desc: active ? !sort.desc : false })}
          >
            {c.label}
            {active ? (sort.desc ? ' ▼' : ' ▲') : ''}
          </button>
        );
      })}
    </div>
  );
}
