import { Anchor, Group, Text } from '@mantine/core';
import { basename, joinPath } from '../../../../shared/paths';
import type { Job } from '../../../../shared/transfers';
import { useApiQuery } from '../../api/use-api-query';
import { formatBytes } from '../../components/format';
import { useEndpointInfo } from '../browser/use-endpoint-info';
import { usePreviewOpener } from '../preview/use-preview-opener';
import { isFinished } from '../transfers/jobs-store';
import { dottedName } from './table-address';

/**
 * A load's line in the queue: the table and mode, what the finished load reports (rows read, loaded,
 * rejected, as its file's note says it), and, when rows were rejected into a file, a link that opens that
 * file in the preview grid.
 */
export function JobLoadSummary({ job }: { job: Job }) {
  const load = job.spec.convert?.load;
  const finished = isFinished(job.state);
  const rejects = load?.rejects;
  const detail = useApiQuery('jobs.get', { id: job.id }, { enabled: !!load && finished, refetchOnMount: true });
  const stat = useApiQuery('fs.stat', { endpoint: rejects?.endpoint ?? 'local', path: rejects?.path ?? '/' }, { enabled: !!rejects && finished, refetchOnMount: true });
  const where = useEndpointInfo(rejects?.endpoint ?? 'local');
  const openPreview = usePreviewOpener();
  if (!load || !job.spec.convert) return null;
  const table = dottedName(joinPath(job.spec.destination.path, job.spec.convert.name));
  const note = finished ? detail.data?.files.find((f) => f.reason)?.reason : undefined;
  const rejectsFile = rejects && stat.data?.type === 'file' ? stat.data : null;
  return (
    <Group gap="md" mt={2} data-testid="job-load">
      <Text size="xs" c="dimmed">
        into {table} · {load.mode} · {load.maxErrors > 0 ? `up to ${load.maxErrors.toLocaleString()} rejected rows` : 'all-or-nothing'}
      </Text>
      {note && (
        <Text size="xs" data-testid="job-load-rows">
          {note}
        </Text>
      )}
      {rejects && rejectsFile && (
        <Anchor
          component="button"
          type="button"
          size="xs"
          data-testid="job-rejects-open"
          onClick={() => openPreview({ endpoint: rejects.endpoint, path: rejects.path, name: basename(rejects.path), label: where.label })}
        >
          Open the rejected rows ({basename(rejects.path)}, {formatBytes(rejectsFile.size)})
        </Anchor>
      )}
    </Group>
  );
}
