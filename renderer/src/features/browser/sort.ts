import type { Entry } from '../../../../shared/connectors';
import { naturalCompare } from './natural-compare';

export type SortKey = 'name' | 'size' | 'modified' | 'kind';
export interface SortState {
  key: SortKey;
  desc: boolean;
}

/** "Folder", "Link", "CSV file", "File", a database's "Table" or "View": what the Kind column shows. */
export function kindOf(e: Entry): string {
  if (e.table) return e.table.kind === 'view' ? 'View' : 'Table';
  if (e.type === 'dir') return 'Folder';
  if (e.type === 'symlink') return 'Link';
  if (e.type === 'other') return 'Other';
  const dot = e.name.lastIndexOf('.');
  return dot > 0 && dot < e.name.length - 1 ? `${e.name.slice(dot + 1).toUpperCase()} file` : 'File';
}

/**
 * Folders first, then the chosen column, then the name (so equal sizes have a stable order).
 * Sort keys are computed once per entry and the sort runs on indexes: 100,000 entries sort in well under
 * a second. Callers memoize it.
 */
export function sortEntries(entries: readonly Entry[], sort: SortState): Entry[] {
  const n = entries.length;
  const names = entries.map((e) => e.name.toLowerCase());
  const dirs = entries.map((e) => (e.type === 'dir' ? 0 : 1));
  const byKey = keyCompare(entries, sort.key);
  const dir = sort.desc ? -1 : 1;
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort((a, b) => dirs[a] - dirs[b] || dir * (byKey(a, b) || naturalCompare(names[a], names[b]) || (entries[a].name < entries[b].name ? -1 : 1)));
  return order.map((i) => entries[i]);
}

function keyCompare(entries: readonly Entry[], key: SortKey): (a: number, b: number) => number {
  switch (key) {
    case 'size': {
      const sizes = entries.map((e) => e.size);
      return (a, b) => sizes[a] - sizes[b];
    }
    case 'modified': {
      // Epoch ms: ISO strings of different precision do not compare correctly as text. A database's tables
      // show their row estimate in this column, and sort by it.
      const times = entries.map((e) => (e.table ? (e.table.rowEstimate ?? -1) : e.modified ? Date.parse(e.modified) || 0 : 0));
      return (a, b) => times[a] - times[b];
    }
    case 'kind': {
      const kinds = entries.map((e) => kindOf(e).toLowerCase());
      return (a, b) => (kinds[a] < kinds[b] ? -1 : kinds[a] > kinds[b] ? 1 : 0);
    }
    default:
      return () => 0;
  }
}

/** Hidden files are names starting with "."; the quick filter matches a substring of the name, case-insensitively. */
export function filterEntries(entries: readonly Entry[], showHidden: boolean, filter: string): readonly Entry[] {
  const q = filter.trim().toLowerCase();
  if (showHidden && !q) return entries;
  return entries.filter((e) => (showHidden || !e.name.startsWith('.')) && (!q || e.name.toLowerCase().includes(q)));
}
