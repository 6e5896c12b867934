import { ActionIcon, Badge, Group, Progress, Text } from '@mantine/core';
import { useState } from 'react';
import { ERROR_TITLES } from '../../../../shared/errors';
import { rowsProgressText, type Job, type JobState } from '../../../../shared/transfers';
import { describeError, formatBytes, formatDate, formatEta, formatRate } from '../../components/format';
import { JobLoadSummary } from '../databases/JobLoadSummary';
import { JobActions } from './JobActions';
import { JobFiles } from './JobFiles';
import classes from './Transfers.module.css';

const STATE_COLORS: Record<JobState, string> = {
  queued: 'gray',
  running: 'blue',
  paused: 'yellow',
  waiting: 'yellow',
  done: 'green',
  failed: 'red',
  cancelled: 'gray',
  interrupted: 'orange',
};

const STATE_LABELS: Record<JobState, string> = {
  queued: 'Queued',
  running: 'Running',
  paused: 'Paused',
  waiting: 'Needs a decision',
  done: 'Done',
  failed: 'Failed',
  cancelled: 'Cancelled',
  interrupted: 'Interrupted',
};

/** One job: title, state, progress bar, bytes and files done of total, rate, ETA, actions, and its files on demand. */
export function JobRow({ job, inHistory = false }: { job: Job; inHistory?: boolean }) {
  const [open, setOpen] = useState(false);
  // An export from a database has no bytes to count against: its rows against the table's estimate do.
  const byRows = job.totalBytes === 0 && job.state !== 'done' && !!job.totalRows && job.doneRows !== undefined;
  const pct = byRows ? Math.min(100, (100 * job.doneRows!) / job.totalRows!) : job.totalBytes > 0 ? (100 * job.doneBytes) / job.totalBytes : job.totalFiles > 0 ? (100 * job.doneFiles) / job.totalFiles : job.state === 'done' ? 100 : 0;
  const live = job.state === 'running';
  return (
    <div className={classes.job} data-testid={`job-${job.id}`} data-state={job.state}>
      <Group gap="xs" wrap="nowrap" justify="space-between">
        <Group gap="xs" wrap="nowrap" style={{ minWidth: 0 }}>
          <ActionIcon size="sm" variant="subtle" aria-label={open ? 'Hide files' : 'Show files'} aria-expanded={open} onClick={() => setOpen((o) => !o)} data-testid="job-expand">
            {open ? '▾' : '▸'}
          </ActionIcon>
          <Badge size="sm" variant="light" color={STATE_COLORS[job.state]} data-testid="job-state">
            {STATE_LABELS[job.state]}
          </Badge>
          <Text size="sm" fw={500} truncate title={job.title}>
            {job.title}
          </Text>
        </Group>
        <JobActions job={job} inHistory={inHistory} />
      </Group>
      <Progress value={pct} size="sm" mt={6} animated={live} striped={live} color={STATE_COLORS[job.state]} data-testid="job-progress" />
      <Group gap="md" mt={4}>
        <Text size="xs" c="dimmed" data-testid="job-bytes">
          {formatBytes(job.doneBytes)} of {formatBytes(job.totalBytes)}
        </Text>
        <Text size="xs" c="dimmed" data-testid="job-file-count">
          {job.doneFiles.toLocaleString()} of {job.totalFiles.toLocaleString()} files
          {job.skippedFiles > 0 ? `, ${job.skippedFiles.toLocaleString()} skipped` : ''}
          {job.failedFiles > 0 ? `, ${job.failedFiles.toLocaleString()} failed` : ''}
        </Text>
        {job.doneRows !== undefined && (
          <Text size="xs" c="dimmed" data-testid="job-rows">
            {rowsProgressText(job)}
          </Text>
        )}
        {live && (
          <Text size="xs" c="dimmed" data-testid="job-rate">
            {formatRate(job.rate)} · {formatEta(job.etaSeconds)} left
          </Text>
        )}
        {job.finishedAt && (
          <Text size="xs" c="dimmed">
            finished {formatDate(job.finishedAt)}
          </Text>
        )}
      </Group>
      <JobLoadSummary job={job} />
      {job.error && (
        <Text size="xs" c="red" mt={2} data-testid="job-error" data-code={job.error.code}>
          {describeError(ERROR_TITLES[job.error.code], job.error.message)}
        </Text>
      )}
      {open && <JobFiles jobId={job.id} jobState={job.state} />}
    </div>
  );
}
