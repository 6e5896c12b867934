import { Alert, Code, List, ScrollArea, Stack, Table, Text } from '@mantine/core';
import type { LoadPlan } from '../../../../shared/table';
import type { FerryClientError } from '../../api/errors';
import { describeError } from '../../components/format';
import { cellText } from '../preview/table-view';

/** What keeps the load from running, in plain words: the form's own, then the dry run's (or its failure). */
export function LoadProblems({ problems, error }: { problems: readonly string[]; error: FerryClientError | null }) {
  if (problems.length === 0 && !error) return null;
  return (
    <Alert color="red" p="xs" title="The load cannot run as it is" data-testid="load-problems">
      <List size="sm">
        {problems.map((p) => (
          <List.Item key={p} data-testid="load-problem">
            {p}
          </List.Item>
        ))}
        {error && (
          <List.Item data-testid="load-problem" data-code={error.code}>
            {describeError(error.title, error.message)}
          </List.Item>
        )}
      </List>
    </Alert>
  );
}

/** The dry run's statements and the first rows exactly as they would be loaded (values as in a preview). */
export function LoadPlanView({ plan }: { plan: LoadPlan }) {
  return (
    <Stack gap="xs">
      {plan.ddl.length > 0 && (
        <Code block data-testid="load-ddl">
          {plan.ddl.join(';\n') + ';'}
        </Code>
      )}
      {plan.warnings.length > 0 && (
        <Alert color="yellow" p="xs" data-testid="load-warnings">
          <List size="xs">
            {plan.warnings.slice(0, 20).map((w, i) => (
              <List.Item key={i}>
                {w.line !== undefined ? `line ${w.line}: ` : ''}
                {w.message}
              </List.Item>
            ))}
          </List>
        </Alert>
      )}
      <Text size="sm" fw={500}>
        The first {plan.rows.length.toLocaleString()} row{plan.rows.length === 1 ? '' : 's'} as they will load
      </Text>
      <ScrollArea.Autosize mah={260} type="auto">
        <Table withTableBorder striped fz="xs" verticalSpacing={2} data-testid="load-preview">
          <Table.Thead>
            <Table.Tr>
              {plan.columns.map((c, i) => (
                <Table.Th key={i} data-testid={`load-preview-col-${i}`}>
                  {c.name}{' '}
                  <Text span size="xs" c="dimmed">
                    {c.type}
                  </Text>
                </Table.Th>
              ))}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {plan.rows.map((row, r) => (
              <Table.Tr key={r}>
                {row.map((v, c) => {
                  const text = cellText(v);
                  return (
                    <Table.Td key={c} data-testid={`load-preview-cell-${r}-${c}`} data-null={text === null || undefined}>
                      {text === null ? (
                        <Text span size="xs" c="dimmed">
                          NULL
                        </Text>
                      ) : (
                        text
                      )}
                    </Table.Td>
                  );
                })}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </ScrollArea.Autosize>
    </Stack>
  );
}
