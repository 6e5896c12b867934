import { Button, Group, Modal, Text } from '@mantine/core';
import { modalTestId } from './testid';

interface Props {
  opened: boolean;
  title: string;
  message: string;
  confirmLabel: string;
  busy?: boolean;
  onConfirm: () => void;
  onClose: () => void;
  testId: string;
}

/** A destructive action, asked once; Cancel has the focus. */
export function ConfirmDialog({ opened, title, message, confirmLabel, busy, onConfirm, onClose, testId }: Props) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} {...modalTestId(testId)}>
      <Text size="sm">{message}</Text>
      <Group justify="flex-end" mt="md">
        <Button variant="default" onClick={onClose} data-autofocus>
          Cancel
        </Button>
        <Button color="red" loading={busy} onClick={onConfirm} data-testid={`${testId}-ok`}>
          {confirmLabel}
        </Button>
      </Group>
    </Modal>
  );
}
