import { Button, Code, Loader, Modal, Table, Text } from '@mantine/core';
import { invalidate } from '../../api/query-cache';
import { useApiMutation } from '../../api/use-api-mutation';
import { useApiQuery } from '../../api/use-api-query';
import { modalTestId } from '../../components/testid';
import { describeError } from '../../components/format';

/** Host keys and certificates trusted so far; removing one makes Ferry ask again on the next connection. */
export function TrustedHostsModal({ opened, onClose }: { opened: boolean; onClose: () => void }) {
  const list = useApiQuery('trust.list', {}, { enabled: opened, refetchOnMount: true });
  const remove = useApiMutation('trust.remove', { onSuccess: () => invalidate('trust.list') });
  const rows = list.data ?? [];
  return (
    <Modal opened={opened} onClose={onClose} title="Trusted hosts" size="xl" {...modalTestId('trusted-hosts')}>
      {list.loading && !list.data && <Loader size="sm" />}
      {list.error && (
        <Text c="red" size="sm">
          {describeError(list.error.title, list.error.message)}
        </Text>
      )}
      {list.data && rows.length === 0 && (
        <Text size="sm" c="dimmed">
          No host key or certificate trusted yet.
        </Text>
      )}
      {rows.length > 0 && (
        <Table fz="sm">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Host</Table.Th>
              <Table.Th>Kind</Table.Th>
              <Table.Th>Fingerprint</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {rows.map((r) => (
              <Table.Tr key={`${r.kind} ${r.host}:${r.port}`} data-testid={`trusted-${r.host}:${r.port}`}>
                <Table.Td>
                  {r.host}:{r.port}
                </Table.Td>
                <Table.Td>
                  {r.kind === 'tls' ? 'Certificate' : 'SSH'} · {r.keyType}
                </Table.Td>
                <Table.Td>
                  <Code style={{ wordBreak: 'break-all' }}>{r.fingerprint}</Code>
                </Table.Td>
                <Table.Td>
                  <Button size="compact-xs" variant="subtle" color="red" onClick={() => remove.run({ kind: r.kind, host: r.host, port: r.port })}>
                    Remove
                  </Button>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Modal>
  );
}
