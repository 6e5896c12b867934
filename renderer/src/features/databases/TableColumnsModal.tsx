import { Alert, Badge, Loader, Modal, Table, Text } from '@mantine/core';
import { useApiQuery } from '../../api/use-api-query';
import { describeError } from '../../components/format';
import { modalTestId } from '../../components/testid';
import { formatRowEstimate } from './row-estimate';
import { dottedName } from './table-address';

export interface ColumnsRequest {
  endpoint: string;
  path: string;
  label: string;
}

/** A table's or view's details: its columns with logical and database types, nullability and primary key. */
export function TableColumnsModal({ request, onClose }: { request: ColumnsRequest; onClose: () => void }) {
  const info = useApiQuery('table.describe', { endpoint: request.endpoint, path: request.path }, { refetchOnMount: true });
  const d = info.data;
  return (
    <Modal opened onClose={onClose} title={`${dottedName(request.path)} · ${request.label}`} size="lg" {...modalTestId('table-columns', { 'data-kind': d?.kind })}>
      {info.error && (
        <Alert color="red" p="xs" data-code={info.error.code}>
          {describeError(info.error.title, info.error.message)}
        </Alert>
      )}
      {!d && !info.error && <Loader size="sm" />}
      {d && (
        <>
          <Text size="sm" c="dimmed" mb="xs" data-testid="table-columns-summary">
            {d.kind === 'view' ? 'View' : 'Table'} · {d.columns.length} column{d.columns.length === 1 ? '' : 's'} · {formatRowEstimate(d.rowEstimate)}
          </Text>
          <Table striped withTableBorder fz="sm" verticalSpacing={4}>
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Column</Table.Th>
                <Table.Th>Type</Table.Th>
                <Table.Th>Ferry type</Table.Th>
                <Table.Th>Null</Table.Th>
                <Table.Th>Key</Table.Th>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {d.columns.map((c) => (
                <Table.Tr key={c.name} data-testid={`table-column-${c.name}`} data-nullable={c.nullable} data-key={c.key}>
                  <Table.Td ff="monospace">{c.name}</Table.Td>
                  <Table.Td ff="monospace" data-testid="table-column-dbtype">
                    {c.dbType}
                  </Table.Td>
                  <Table.Td c="dimmed">{c.type}</Table.Td>
                  <Table.Td>{c.nullable ? 'null' : 'not null'}</Table.Td>
                  <Table.Td>{c.key && <Badge size="xs">primary key</Badge>}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        </>
      )}
    </Modal>
  );
}
