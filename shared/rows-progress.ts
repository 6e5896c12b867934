import type { Job } from './transfers';

/** A load's or export's rows for people: "120,000 rows", "120,000 of ~1,000,000 rows"; '' when it has none. */
export function rowsProgressText(j: Pick<Job, 'doneRows' | 'totalRows'>, n: (x: number) => string = (x) => x.toLocaleString()): string {
  if (j.doneRows === undefined) return '';
  return `${n(j.doneRows)}${j.totalRows ? ` of ~${n(j.totalRows)}` : ''} rows`;
}
