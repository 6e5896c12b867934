import { Button, Code, Group, Loader, Modal, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifyError } from '../../components/notify';
import { formatBytes, plural } from '../../components/format';
import { ConflictPolicyPicker } from './ConflictPolicyPicker';
import type { ChosenPolicy } from './policies';
import { useJobFiles } from './use-job-files';
import { modalTestId } from '../../components/testid';

interface Props {
  jobId: string;
  jobTitle: string;
  jobState: string;
  onClose: () => void;
}

/** A running job stopped at a file that exists at the destination (policy "ask"): decide for it, or for all. */
export function JobConflictDialog({ jobId, jobTitle, jobState, onClose }: Props) {
  const { files, reload } = useJobFiles(jobId, jobState);
  const [policy, setPolicy] = useState<ChosenPolicy>('if-changed');
  const [applyToAll, setApplyToAll] = useState(false);
  const [busy, setBusy] = useState(false);
  const waiting = files?.filter((f) => f.state === 'conflict') ?? [];
  const file = waiting[0];

  const resolve = async () => {
    if (!file) return;
    setBusy(true);
    try {
      await api.call('jobs.resolveConflict', { id: jobId, fileIdx: file.idx, policy, applyToAll });
      if (applyToAll || waiting.length <= 1) onClose();
      else reload();
    } catch (e) {
      notifyError(e, 'Could not resolve the conflict');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={onClose} title="A file already exists at the destination" size="lg" {...modalTestId('job-conflict-dialog')}>
      {files === null ? (
        <Loader size="sm" />
      ) : !file ? (
        <Text size="sm">No file of “{jobTitle}” is waiting for a decision any more.</Text>
      ) : (
        <Stack gap="sm">
          <Text size="sm">
            <Code>{file.dstPath}</Code> exists. The new file is {formatBytes(file.size)}.
            {waiting.length > 1 ? ` ${plural(waiting.length - 1, 'other file')} of this job also wait.` : ''}
          </Text>
          <ConflictPolicyPicker
            policy={policy}
            onPolicy={setPolicy}
            applyToAll={applyToAll}
            onApplyToAll={setApplyToAll}
            applyToAllLabel="Apply to all remaining conflicts of this job"
          />
        </Stack>
      )}
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose}>
          Decide later
        </Button>
        <Button loading={busy} disabled={!file} onClick={resolve} data-testid="job-conflict-resolve">
          Apply
        </Button>
      </Group>
    </Modal>
  );
}
