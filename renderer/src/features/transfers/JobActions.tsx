import { Button, Group } from '@mantine/core';
import type { Job } from '../../../../shared/transfers';
import { invalidate } from '../../api/query-cache';
import { useApiMutation } from '../../api/use-api-mutation';
import { isFinished, jobsStore } from './jobs-store';
import { useTransfers } from './use-transfers';

/** The buttons a job's state allows: pause / resume / cancel / retry / resolve / dismiss. */
export function JobActions({ job, inHistory = false }: { job: Job; inHistory?: boolean }) {
  const { resolveJob } = useTransfers();
  const pause = useApiMutation('jobs.pause');
  const resume = useApiMutation('jobs.resume');
  const cancel = useApiMutation('jobs.cancel');
  const retry = useApiMutation('jobs.retry');
  const remove = useApiMutation('jobs.remove', { onSuccess: () => invalidate('jobs.list') });
  const s = job.state;
  const id = job.id;
  const canRetry = s === 'failed' || s === 'cancelled' || (s === 'done' && job.failedFiles > 0);
  return (
    <Group gap={4} wrap="nowrap">
      {s === 'waiting' && (
        <Button size="compact-xs" color="yellow" onClick={() => resolveJob(id)} data-testid="job-resolve">
          Resolve conflict…
        </Button>
      )}
      {(s === 'running' || s === 'queued') && (
        <Button size="compact-xs" variant="default" loading={pause.loading} onClick={() => pause.run({ id })} data-testid="job-pause">
          Pause
        </Button>
      )}
      {(s === 'paused' || s === 'interrupted') && (
        <Button size="compact-xs" variant="default" loading={resume.loading} onClick={() => resume.run({ id })} data-testid="job-resume">
          Resume
        </Button>
      )}
      {!isFinished(s) && (
        <Button size="compact-xs" variant="default" color="red" loading={cancel.loading} onClick={() => cancel.run({ id })} data-testid="job-cancel">
          Cancel
        </Button>
      )}
      {canRetry && (
        <Button
          size="compact-xs"
          variant="default"
          loading={retry.loading}
          onClick={() => retry.run({ id })}
          data-testid="job-retry"
        >
          Retry
        </Button>
      )}
      {isFinished(s) && !inHistory && (
        <Button size="compact-xs" variant="subtle" color="gray" onClick={() => jobsStore.dismiss(id)} data-testid="job-dismiss">
          Dismiss
        </Button>
      )}
      {isFinished(s) && inHistory && (
        <Button size="compact-xs" variant="subtle" color="gray" loading={remove.loading} onClick={() => remove.run({ id })} data-testid="job-remove">
          Remove from history
        </Button>
      )}
    </Group>
  );
}
