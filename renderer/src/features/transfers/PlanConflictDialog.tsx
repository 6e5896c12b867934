import { Button, Group, Modal, ScrollArea, Space, Table, Text } from '@mantine/core';
import { useEffect, useMemo, useState } from 'react';
import type { Plan } from '../../../../shared/transfers';
import { formatBytes, formatDate, plural } from '../../components/format';
import { ConflictPolicyPicker } from './ConflictPolicyPicker';
import type { ChosenPolicy } from './policies';
import { modalTestId } from '../../components/testid';

const SHOWN = 200;

interface Props {
  plan: Plan | null;
  busy: boolean;
  onCancel: () => void;
  /** applyToAll false: run the plan as is and let the job ask per file. */
  onContinue: (policy: ChosenPolicy, applyToAll: boolean) => void;
}

/** Before a copy or move starts: these files already exist at the destination; what should happen to them? */
export function PlanConflictDialog({ plan, busy, onCancel, onContinue }: Props) {
  const [policy, setPolicy] = useState<ChosenPolicy>('if-changed');
  const [applyToAll, setApplyToAll] = useState(true);
  useEffect(() => {
    if (plan) setApplyToAll(true);
  }, [plan]);
  const conflicts = useMemo(() => plan?.items.filter((i) => i.action === 'conflict') ?? [], [plan]);

  return (
    <Modal opened={plan !== null} onClose={onCancel} size="lg" title={`${plural(conflicts.length, 'file')} already ${conflicts.length === 1 ? 'exists' : 'exist'} at the destination`} {...modalTestId('conflict-dialog')}>
      <ScrollArea.Autosize mah={220} type="auto">
        <Table fz="xs" striped stickyHeader>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>File</Table.Th>
              <Table.Th ta="right">Size</Table.Th>
              <Table.Th>Modified</Table.Th>
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {conflicts.slice(0, SHOWN).map((c) => (
              <Table.Tr key={c.relPath} data-testid={`conflict-item-${c.relPath}`}>
                <Table.Td>{c.relPath}</Table.Td>
                <Table.Td ta="right">{formatBytes(c.size)}</Table.Td>
                <Table.Td>{formatDate(c.modified)}</Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
      {conflicts.length > SHOWN && (
        <Text size="xs" c="dimmed">
          and {plural(conflicts.length - SHOWN, 'more file')}
        </Text>
      )}
      <Space h="sm" />
      <ConflictPolicyPicker
        policy={policy}
        onPolicy={setPolicy}
        applyToAll={applyToAll}
        onApplyToAll={setApplyToAll}
        applyToAllLabel={`Apply to all ${plural(conflicts.length, 'conflict')} (unchecked: ask for each file when the transfer reaches it)`}
      />
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onCancel}>
          Cancel
        </Button>
        <Button loading={busy} onClick={() => onContinue(policy, applyToAll)} data-testid="conflict-continue">
          Continue
        </Button>
      </Group>
    </Modal>
  );
}
