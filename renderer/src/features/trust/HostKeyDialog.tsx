import { Alert, Button, Code, Group, Modal, Stack, Table, Text } from '@mantine/core';
import { useState } from 'react';
import type { HostKeyDetail } from '../../../../shared/errors';
import { api } from '../../api/client';
import { notifyError } from '../../components/notify';
import { modalTestId } from '../../components/testid';

interface Props {
  detail: HostKeyDetail;
  /** HOST_KEY_CHANGED: a warning that refuses; there is no way to accept from here. */
  changed: boolean;
  onAnswer: (a: 'retry' | 'fail') => void;
}

/** Shows an unknown (or changed) SSH host key or TLS certificate with its SHA256 fingerprint. */
export function HostKeyDialog({ detail, changed, onAnswer }: Props) {
  const [busy, setBusy] = useState(false);
  const what = detail.kind === 'tls' ? 'certificate' : 'host key';
  const where = `${detail.host}:${detail.port}`;

  const accept = async () => {
    setBusy(true);
    try {
      await api.call('trust.accept', detail, { intercept: false });
      onAnswer('retry');
    } catch (e) {
      notifyError(e, `Could not save the ${what}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <Modal
      opened
      onClose={() => onAnswer('fail')}
      size="lg"
      title={changed ? `The ${what} of ${where} has changed` : `Unknown ${what} for ${where}`}
      {...modalTestId('hostkey-dialog', { 'data-kind': detail.kind, 'data-changed': changed ? 'true' : undefined })}
    >
      <Stack gap="sm">
        {changed ? (
          <Alert color="red" title="Ferry refused to connect" data-testid="hostkey-changed-warning">
            The server presented a different {what} from the one saved when you first trusted it. This happens when
            the server was reinstalled, or when someone is intercepting the connection. Ask the server&apos;s
            administrator for the new fingerprint; only if it matches, remove the old one under “Trusted hosts” and connect again.
          </Alert>
        ) : (
          <Text size="sm">
            Ferry has not connected to <b>{where}</b> before. Compare this fingerprint with the one the server&apos;s
            administrator gave you; trust it only if they match.
          </Text>
        )}
        <Table withRowBorders={false} fz="sm" layout="fixed">
          <Table.Tbody>
            <Table.Tr>
              <Table.Th w={160}>Host</Table.Th>
              <Table.Td data-testid="hostkey-host">{where}</Table.Td>
            </Table.Tr>
            <Table.Tr>
              <Table.Th>{detail.kind === 'tls' ? 'Certificate key' : 'Key type'}</Table.Th>
              <Table.Td data-testid="hostkey-type">{detail.keyType}</Table.Td>
            </Table.Tr>
            {changed && detail.pinnedFingerprint && (
              <Table.Tr>
                <Table.Th>Trusted before</Table.Th>
                <Table.Td>
                  <Code data-testid="hostkey-pinned-fingerprint" style={{ wordBreak: 'break-all' }}>
                    {detail.pinnedFingerprint}
                  </Code>
                </Table.Td>
              </Table.Tr>
            )}
            <Table.Tr>
              <Table.Th>{changed ? 'Presented now' : 'Fingerprint'}</Table.Th>
              <Table.Td>
                <Code data-testid="hostkey-fingerprint" style={{ wordBreak: 'break-all' }} c={changed ? 'red' : undefined}>
                  {detail.fingerprint}
                </Code>
              </Table.Td>
            </Table.Tr>
          </Table.Tbody>
        </Table>
        <Group justify="flex-end">
          {changed ? (
            <Button onClick={() => onAnswer('fail')} data-testid="hostkey-close" data-autofocus>
              Close
            </Button>
          ) : (
            <>
              <Button variant="default" onClick={() => onAnswer('fail')} data-testid="hostkey-cancel" data-autofocus>
                Cancel
              </Button>
              <Button loading={busy} onClick={accept} data-testid="hostkey-accept">
                Trust and connect
              </Button>
            </>
          )}
        </Group>
      </Stack>
    </Modal>
  );
}
