import { Badge, Button, Drawer, Group, Paper, Stack, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import type { Task, TaskHistoryEntry } from '../../../../shared/tasks';
import { useApiQuery } from '../../api/use-api-query';
import { formatBytes, formatDate, plural } from '../../components/format';
import { JobRow } from '../transfers/JobRow';
import { RUN_COLORS } from './TaskRow';

function duration(e: TaskHistoryEntry): string {
  if (!e.startedAt || !e.finishedAt) return '';
  const s = (Date.parse(e.finishedAt) - Date.parse(e.startedAt)) / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

function moved(e: TaskHistoryEntry): string {
  if (e.files === null) return '';
  return [plural(e.files, 'file'), formatBytes(e.bytes ?? 0), e.rows !== null ? plural(e.rows, 'row') : ''].filter(Boolean).join(', ');
}

/** The job a run was, shown as in the transfer history (files, errors, retry), on demand. */
function RunJob({ jobId }: { jobId: string }) {
  const q = useApiQuery('jobs.get', { id: jobId }, { refetchOnMount: true });
  if (q.error) return <Text size="xs" c="dimmed">{q.error.message}</Text>;
  return q.data ? <JobRow job={q.data.job} inHistory /> : null;
}

function Entry({ e }: { e: TaskHistoryEntry }) {
  const [open, setOpen] = useState(false);
  const failed = e.state === 'failed' || e.kind === 'flagged';
  return (
    <Paper withBorder p="xs" bg={failed ? 'var(--mantine-color-red-light)' : undefined} data-testid="task-history-entry" data-kind={e.kind} data-state={e.state ?? ''}>
      <Group justify="space-between" wrap="nowrap">
        <Group gap="xs" wrap="nowrap">
          <Badge size="sm" color={e.state ? RUN_COLORS[e.state] : e.kind === 'flagged' ? 'red' : 'gray'} variant={e.kind === 'run' ? 'filled' : 'light'}>
            {e.kind === 'run' ? e.state : e.kind}
          </Badge>
          <Text size="xs">{formatDate(e.startedAt ?? e.at)}</Text>
          {duration(e) && <Text size="xs" c="dimmed">{duration(e)}</Text>}
          {moved(e) && <Text size="xs" data-testid="task-history-moved">{moved(e)}</Text>}
        </Group>
        {e.jobId && (
          <Button size="compact-xs" variant="subtle" onClick={() => setOpen((o) => !o)} data-testid="task-history-job">
            {open ? 'Hide job' : 'Job detail'}
          </Button>
        )}
      </Group>
      <Text size="xs" mt={4} data-testid="task-history-message">
        {e.message}
      </Text>
      {open && e.jobId && <RunJob jobId={e.jobId} />}
    </Paper>
  );
}

/** A task's runs and the scheduler's decisions, newest first, searchable; failed runs stand out. */
export function TaskHistoryDrawer({ task, onClose }: { task: Task; onClose: () => void }) {
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 250);
  const q = useApiQuery('tasks.history', { id: task.id, query: debounced || undefined, limit: 200 }, { refetchOnMount: true });
  return (
    <Drawer opened onClose={onClose} position="right" size="lg" title={`History of ${task.name}`} attributes={{ content: { 'data-testid': 'task-history' } }}>
      <Stack gap="xs">
        <TextInput size="xs" placeholder="Search (time, error, message)" value={query} onChange={(e) => setQuery(e.currentTarget.value)} data-testid="task-history-search" />
        {(q.data ?? []).map((e) => (
          <Entry key={e.id} e={e} />
        ))}
        {q.data?.length === 0 && (
          <Text size="sm" c="dimmed">
            Nothing yet.
          </Text>
        )}
      </Stack>
    </Drawer>
  );
}
