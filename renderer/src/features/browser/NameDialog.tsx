import { Button, Group, Modal, TextInput } from '@mantine/core';
import { useEffect, useState } from 'react';
import { unsafeNameReason } from '../../../../shared/paths';
import { modalTestId } from '../../components/testid';

interface Props {
  opened: boolean;
  title: string;
  initial: string;
  confirmLabel: string;
  busy: boolean;
  onConfirm: (name: string) => void;
  onClose: () => void;
}

/** Asks for one file or folder name (new folder, rename); refuses names with "/" or "..". */
export function NameDialog({ opened, title, initial, confirmLabel, busy, onConfirm, onClose }: Props) {
  const [name, setName] = useState(initial);
  useEffect(() => {
    if (opened) setName(initial);
  }, [opened, initial]);
  const trimmed = name.trim();
  const problem = trimmed ? unsafeNameReason(trimmed) : null;
  const submit = () => {
    if (trimmed && !problem) onConfirm(trimmed);
  };
  return (
    <Modal opened={opened} onClose={onClose} title={title} {...modalTestId('name-dialog')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <TextInput
          label="Name"
          data-testid="name-input"
          data-autofocus
          value={name}
          error={problem ? `This name cannot be used: ${problem}` : null}
          onChange={(e) => setName(e.currentTarget.value)}
          onFocus={(e) => {
            // Select the name without its extension, as file managers do on rename.
            const dot = e.currentTarget.value.lastIndexOf('.');
            e.currentTarget.setSelectionRange(0, dot > 0 ? dot : e.currentTarget.value.length);
          }}
        />
        <Group justify="flex-end" mt="md">
          <Button variant="default" onClick={onClose}>
            Cancel
          </Button>
          <Button type="submit" loading={busy} disabled={!trimmed || !!problem || trimmed === initial} data-testid="name-ok">
            {confirmLabel}
          </Button>
        </Group>
      </form>
    </Modal>
  );
}
