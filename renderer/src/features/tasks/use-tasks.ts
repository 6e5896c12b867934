import type { Task } from '../../../../shared/tasks';
import { invalidate } from '../../api/query-cache';
import { useApiEvent } from '../../api/use-api-event';
import { useApiQuery } from '../../api/use-api-query';

const EMPTY: Task[] = [];

/** The saved tasks, kept fresh by the core's tasks.changed events (a run started or ended, a task saved or flagged). */
export function useTasks() {
  const q = useApiQuery('tasks.list', {}, { refetchOnMount: true });
  useApiEvent('tasks.changed', () => {
    invalidate('tasks.list');
    invalidate('tasks.history');
    void q.refetch();
  });
  return { ...q, tasks: q.data ?? EMPTY };
}

/** A time as the task's zone shows it: "Mon 7 Dec, 06:00". */
export function formatInZone(iso: string | null | undefined, timezone: string | null): string {
  if (!iso) return '—';
  return new Intl.DateTimeFormat(undefined, {
    timeZone: timezone ?? undefined,
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    hour: '2-digit',
    minute: '2-digit',
    second: new Date(iso).getUTCSeconds() ? '2-digit' : undefined,
    hourCycle: 'h23',
  }).format(new Date(iso));
}

export const systemZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
