import { Button, Group, List, Modal, Text } from '@mantine/core';
import type { Entry } from '../../../../shared/connectors';
import { plural } from '../../components/format';
import { modalTestId } from '../../components/testid';

const SHOWN = 8;

interface Props {
  entries: Entry[] | null;
  where: string;
  busy: boolean;
  onConfirm: () => void;
  onClose: () => void;
}

/** "Delete 3 items from sftp-prod?" with the names (folders are deleted with everything inside). */
export function DeleteDialog({ entries, where, busy, onConfirm, onClose }: Props) {
  const list = entries ?? [];
  const folders = list.filter((e) => e.type === 'dir').length;
  return (
    <Modal opened={entries !== null} onClose={onClose} title={`Delete ${plural(list.length, 'item')}?`} {...modalTestId('confirm-delete')}>
      <Text size="sm">
        From <b>{where}</b>. This cannot be undone{folders > 0 ? ': folders are deleted with everything inside them' : ''}.
      </Text>
      <List size="sm" mt="sm" spacing={2}>
        {list.slice(0, SHOWN).map((e) => (
          <List.Item key={e.path}>
            {e.name}
            {e.type === 'dir' ? '/' : ''}
          </List.Item>
        ))}
      </List>
      {list.length > SHOWN && (
        <Text size="sm" c="dimmed" mt={4}>
          and {plural(list.length - SHOWN, 'more item')}
        </Text>
      )}
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button color="red" loading={busy} onClick={onConfirm} data-testid="confirm-delete-ok">
          Delete
        </Button>
      </Group>
    </Modal>
  );
}
