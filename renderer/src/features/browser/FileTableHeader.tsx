import classes from './FileTable.module.css';
import type { SortKey, SortState } from './sort';

const COLUMNS: { key: SortKey; label: string; right?: boolean }[] = [
  { key: 'name', label: 'Name' },
  { key: 'size', label: 'Size', right: true },
  { key: 'modified', label: 'Modified' },
  { key: 'kind', label: 'Kind' },
];

/** Click a column to sort by it; click again to reverse. Folders always stay first. */
export function FileTableHeader({ sort, onSort }: { sort: SortState; onSort: (s: SortState) => void }) {
  return (
    <div className={classes.header} role="row">
      {COLUMNS.map((c) => {
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
