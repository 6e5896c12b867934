import { Loader, Text } from '@mantine/core';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useRef } from 'react';
import { JobFileRow } from './JobFileRow';
import classes from './Transfers.module.css';
import { useJobFiles } from './use-job-files';
import { describeError } from '../../components/format';

/** The expanded per-file list of a job, virtualized (a job can have 100,000 files). */
export function JobFiles({ jobId, jobState }: { jobId: string; jobState: string }) {
  const { files, error } = useJobFiles(jobId, jobState);
  const scrollRef = useRef<HTMLDivElement>(null);
  const v = useVirtualizer({ count: files?.length ?? 0, getScrollElement: () => scrollRef.current, estimateSize: () => 28, overscan: 10 });
  if (error)
    return (
      <Text size="xs" c="red">
        {describeError(error.title, error.message)}
      </Text>
    );
  if (!files) return <Loader size="xs" />;
  return (
    <div ref={scrollRef} className={classes.fileList} data-testid={`job-files-${jobId}`}>
      <div style={{ height: v.getTotalSize(), position: 'relative' }}>
        {v.getVirtualItems().map((row) => (
          <JobFileRow key={files[row.index].idx} file={files[row.index]} top={row.start} />
        ))}
      </div>
    </div>
  );
}
