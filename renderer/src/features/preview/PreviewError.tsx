import { Alert, Badge, Button, Group, Table, Text } from '@mantine/core';
import type { FerryClientError } from '../../api/errors';
import { errorWhere } from './table-view';

interface Props {
  error: FerryClientError;
  /** "Rows 501–1,000" when a later page failed; absent when the file could not be opened at all. */
  what?: string;
  onRetry: () => void;
  testId?: string;
}

/** What is wrong with the file and where (line, column, row group, sheet), from the error's data; never a stack. */
export function PreviewError({ error, what, onRetry, testId = 'preview-error' }: Props) {
  const where = errorWhere(error.detail, error.message);
  return (
    <Alert
      color="red"
      variant="light"
      title={what ? `${what} could not be read` : `This file cannot be previewed: ${error.title.toLowerCase()}`}
      data-testid={testId}
      data-code={error.code}
    >
      <Text size="sm" data-testid="preview-error-message" style={{ whiteSpace: 'pre-wrap' }}>
        {error.message}
      </Text>
      {where.length > 0 && (
        <Table fz="xs" mt={6} w="auto" withRowBorders={false} verticalSpacing={1} data-testid="preview-error-where">
          <Table.Tbody>
            {where.map((w) => (
              <Table.Tr key={w.label}>
                <Table.Td c="dimmed" pl={0}>
                  {w.label}
                </Table.Td>
                <Table.Td ff="monospace" data-testid={`preview-error-${w.label.replace(/\s+/g, '-')}`}>
                  {w.value}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Group mt="xs" gap="xs">
        <Button size="xs" variant="light" color="red" onClick={onRetry} data-testid="preview-retry">
          Try again
        </Button>
        <Badge size="xs" variant="outline" color="red">
          {error.code}
        </Badge>
        {error.code === 'UNSUPPORTED' && (
          <Text size="xs" c="dimmed">
            If Ferry guessed the format wrong, choose one under “Read as”.
          </Text>
        )}
      </Group>
    </Alert>
  );
}
