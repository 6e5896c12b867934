/** "~1,234 rows" (the planner's estimate, not a count); "rows unknown" before the database has one. */
export function formatRowEstimate(n: number | null | undefined): string {
  if (n === null || n === undefined) return 'rows unknown';
  return `~${n.toLocaleString()} row${n === 1 ? '' : 's'}`;
}
