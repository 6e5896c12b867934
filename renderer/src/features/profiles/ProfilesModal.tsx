import { Button, Group, Loader, Modal, ScrollArea, Stack, Text, Title } from '@mantine/core';
import { useState } from 'react';
import type { ConnectorType } from '../../../../shared/connectors';
import { invalidate } from '../../api/query-cache';
import { useApiMutation } from '../../api/use-api-mutation';
import { ConfirmDialog } from '../../components/ConfirmDialog';
import { ImportSshConfigButton } from './ImportSshConfigButton';
import { ProfileForm } from './ProfileForm';
import { ProfileList } from './ProfileList';
import { useConnectors } from './use-connectors';
import { useProfiles } from './use-profiles';
import { modalTestId } from '../../components/testid';

const NEW = '__new__';

/** The connection manager: saved profiles on the left, the selected one's form on the right. */
export function ProfilesModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const { profiles } = useProfiles();
  const { connectors } = useConnectors();
  const [selected, setSelected] = useState<string | null>(null);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const profile = profiles.find((p) => p.id === selected) ?? null;
  const firstRemote = (connectors.find((c) => c.type === 'sftp') ?? connectors.find((c) => c.type !== 'local'))?.type as ConnectorType;

  const duplicate = useApiMutation('profiles.duplicate', {
    onSuccess: (p) => {
      invalidate('profiles.list');
      setSelected(p.id);
    },
  });
  const remove = useApiMutation('profiles.remove', {
    onSuccess: () => {
      invalidate('profiles.list');
      setSelected(null);
      setConfirmDelete(false);
    },
  });

  return (
    <Modal opened={opened} onClose={onClose} title="Connections" size="min(1100px, 95vw)" {...modalTestId('profiles-modal')}>
      <Group align="stretch" wrap="nowrap" gap="md" h="min(70vh, 720px)">
        <Stack w={260} gap="xs" style={{ flex: 'none' }}>
          <Button onClick={() => setSelected(NEW)} data-testid="new-profile">
            New connection
          </Button>
          <ImportSshConfigButton />
          <ProfileList profiles={profiles} selected={selected} onSelect={setSelected} />
        </Stack>
        <ScrollArea style={{ flex: 1 }} offsetScrollbars>
          {connectors.length === 0 ? (
            <Loader size="sm" />
          ) : selected === NEW ? (
            <ProfileForm key={NEW} profile={null} connectors={connectors} initialType={firstRemote} onSaved={(p) => setSelected(p.id)} />
          ) : profile ? (
            <Stack gap="sm">
              <Group justify="space-between">
                <Title order={4}>{profile.name}</Title>
                <Group gap="xs">
                  <Button size="xs" variant="default" loading={duplicate.loading} onClick={() => duplicate.run({ id: profile.id })} data-testid="profile-duplicate">
                    Duplicate
                  </Button>
                  <Button size="xs" variant="default" color="red" onClick={() => setConfirmDelete(true)} data-testid="profile-delete">
                    Delete
                  </Button>
                </Group>
              </Group>
              <ProfileForm key={profile.id + profile.updatedAt} profile={profile} connectors={connectors} initialType={profile.type} onSaved={(p) => setSelected(p.id)} />
            </Stack>
          ) : (
            <Text c="dimmed" p="md">
              Choose a connection on the left, or create a new one.
            </Text>
          )}
        </ScrollArea>
      </Group>
      <ConfirmDialog
        opened={confirmDelete && profile !== null}
        title={`Delete the connection “${profile?.name}”?`}
        message="Its settings and stored secrets are removed. Files on the server are not touched."
        confirmLabel="Delete"
        busy={remove.loading}
        onConfirm={() => profile && remove.run({ id: profile.id })}
        onClose={() => setConfirmDelete(false)}
        testId="confirm-profile-delete"
      />
    </Modal>
  );
}
