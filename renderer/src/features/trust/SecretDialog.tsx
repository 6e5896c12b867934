import { Button, Group, Modal, PasswordInput, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { api } from '../../api/client';
import { notifyError } from '../../components/notify';
import { useAppInfo } from '../../app/use-app-info';
import { useConnectors } from '../profiles/use-connectors';
import { useProfiles } from '../profiles/use-profiles';
import { modalTestId } from '../../components/testid';

interface Props {
  profileId: string;
  name: string;
  message: string;
  onAnswer: (a: 'retry' | 'fail') => void;
}

/** A connection needs a secret Ferry does not have: ask for it and hand it to the core for this session. */
export function SecretDialog({ profileId, name, message, onAnswer }: Props) {
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const { profiles } = useProfiles();
  const { byType } = useConnectors();
  const info = useAppInfo();
  const profile = profiles.find((p) => p.id === profileId);
  const label = (profile && byType.get(profile.type)?.options.find((o) => o.name === name)?.label) ?? name;
  const noKeychain = info.data?.keychain.available === false;

  const submit = async () => {
    setBusy(true);
    try {
      await api.call('secrets.provide', { profileId, name, value }, { intercept: false });
      onAnswer('retry');
    } catch (e) {
      notifyError(e, 'Could not use this secret');
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal opened onClose={() => onAnswer('fail')} title={`${label} for ${profile?.name ?? 'this connection'}`} {...modalTestId('secret-dialog')}>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          if (value) void submit();
        }}
      >
        <Stack gap="sm">
          <Text size="sm">{message}</Text>
          <PasswordInput label={label} value={value} onChange={(e) => setValue(e.currentTarget.value)} data-autofocus data-testid="secret-input" autoComplete="off" />
          <Text size="xs" c={noKeychain ? 'yellow.8' : 'dimmed'} data-testid="secret-storage-note">
            {noKeychain
              ? 'No keychain: kept for this session only.'
              : 'Kept in memory for this session only. To remember it, save it in the connection’s settings (stored in the keychain).'}
          </Text>
          <Group justify="flex-end">
            <Button variant="default" onClick={() => onAnswer('fail')}>
              Cancel
            </Button>
            <Button type="submit" loading={busy} disabled={!value} data-testid="secret-submit">
              Connect
            </Button>
          </Group>
        </Stack>
      </form>
    </Modal>
  );
}
