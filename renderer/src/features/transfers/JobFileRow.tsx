import { ActionIcon, Badge, Group, Progress, Text, Tooltip } from '@mantine/core';
import { memo } from 'react';
import { ERROR_TITLES } from '../../../../shared/errors';
import type { FileState, JobFile } from '../../../../shared/transfers';
import { api } from '../../api/client';
import { describeError, formatBytes, formatRate } from '../../components/format';
import { notifyError } from '../../components/notify';
import classes from './Transfers.module.css';

const STATE_COLORS: Record<FileState, string> = {
  pending: 'gray',
  running: 'blue',
  paused: 'yellow',
  conflict: 'yellow',
  done: 'green',
  skipped: 'gray',
  failed: 'red',
  cancelled: 'gray',
};

type FileOp = 'jobs.pause' | 'jobs.resume' | 'jobs.cancel' | 'jobs.retry';

function act(method: FileOp, file: JobFile) {
  api.call(method, { id: file.jobId, fileIdx: file.idx }).catch((e) => notifyError(e, file.relPath));
}

function FileButton({ label, symbol, method, file }: { label: string; symbol: string; method: FileOp; file: JobFile }) {
  return (
    <Tooltip label={label}>
      <ActionIcon size="xs" variant="subtle" aria-label={`${label} ${file.relPath}`} data-testid={`file-${method.slice(5)}`} onClick={() => act(method, file)}>
        {symbol}
      </ActionIcon>
    </Tooltip>
  );
}

/** One file of a job: state, path (and its error), progress, rate, and the per-file actions its state allows. */
export const JobFileRow = memo(function JobFileRow({ file, top }: { file: JobFile; top: number }) {
  const s = file.state;
  const pct = file.size > 0 ? (100 * file.bytesDone) / file.size : s === 'done' ? 100 : 0;
  const err = file.error ? describeError(ERROR_TITLES[file.error.code], file.error.message) : '';
  return (
    <div className={classes.fileRow} style={{ transform: `translateY(${top}px)`, height: 28 }} data-testid={`job-file-${file.relPath}`} data-state={s}>
      <Badge size="xs" variant="light" color={STATE_COLORS[s]}>
        {s}
      </Badge>
      <Text size="xs" truncate title={err || file.dstPath}>
        {file.relPath}
        {err && <span data-testid="job-file-error"> — {err}</span>}
        {!err && file.reason && <span data-testid="job-file-note"> — {file.reason}</span>}
      </Text>
      <Group gap={6} wrap="nowrap">
        <Progress value={pct} size="sm" style={{ flex: 1 }} color={s === 'failed' ? 'red' : undefined} />
        <Text size="xs" c="dimmed" w={60} ta="right">
          {formatBytes(file.size)}
        </Text>
      </Group>
      <Text size="xs" c="dimmed">
        {s === 'running' ? formatRate(file.rate) : ''}
      </Text>
      <Group gap={2} wrap="nowrap" justify="flex-end">
        {s === 'running' && <FileButton label="Pause" symbol="❚❚" method="jobs.pause" file={file} />}
        {s === 'paused' && <FileButton label="Resume" symbol="▶" method="jobs.resume" file={file} />}
        {(s === 'failed' || s === 'cancelled') && <FileButton label="Retry" symbol="↻" method="jobs.retry" file={file} />}
        {(s === 'pending' || s === 'running' || s === 'paused' || s === 'conflict') && <FileButton label="Cancel" symbol="✕" method="jobs.cancel" file={file} />}
      </Group>
    </div>
  );
});
