import { Group, Loader, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { useApiQuery } from '../../api/use-api-query';
import { FINISHED_STATES } from './jobs-store';
import { JobRow } from './JobRow';
import { describeError } from '../../components/format';

/** Finished jobs from the core's history, searchable (jobs.list with a query). */
export function HistoryTab() {
  const [query, setQuery] = useState('');
  const [debounced] = useDebouncedValue(query.trim(), 250);
  const list = useApiQuery('jobs.list', { states: FINISHED_STATES, query: debounced || undefined, limit: 200 }, { refetchOnMount: true });
  const jobs = list.data ?? [];
  return (
    <>
      <Group gap="xs" mb={6}>
        <TextInput
          size="xs"
          style={{ flex: 1 }}
          placeholder="Search finished transfers (name, path, connection)"
          value={query}
          onChange={(e) => setQuery(e.currentTarget.value)}
          data-testid="history-search"
        />
        {list.loading && <Loader size="xs" />}
      </Group>
      {list.error && (
        <Text size="sm" c="red">
          {describeError(list.error.title, list.error.message)}
        </Text>
      )}
      {jobs.map((job) => (
        <JobRow key={job.id} job={job} inHistory />
      ))}
      {!list.loading && jobs.length === 0 && (
        <Text size="sm" c="dimmed" p="sm">
          {debounced ? 'No finished transfer matches.' : 'No finished transfers yet.'}
        </Text>
      )}
    </>
  );
}
