import { Table, Text } from '@mantine/core';
import classes from './Preview.module.css';
import type { ColumnSummary } from './table-view';

/** Each column: its name, logical type, NULLs and a few example values, over the rows loaded so far. */
export function SchemaView({ columns, rowsLoaded }: { columns: ColumnSummary[]; rowsLoaded: number }) {
  return (
    <div className={classes.schemaScroll} data-testid="preview-schema">
      <Text size="xs" c="dimmed" mb={6}>
        NULLs and examples over the {rowsLoaded.toLocaleString()} row{rowsLoaded === 1 ? '' : 's'} loaded.
      </Text>
      <Table fz="sm" stickyHeader highlightOnHover verticalSpacing={4}>
        <Table.Thead>
          <Table.Tr>
            <Table.Th w={44}>#</Table.Th>
            <Table.Th>Column</Table.Th>
            <Table.Th>Type</Table.Th>
            <Table.Th ta="right">NULLs</Table.Th>
            <Table.Th>Examples</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {columns.map((c, i) => (
            <Table.Tr key={i} data-testid={`preview-schema-row-${c.name}`}>
              <Table.Td c="dimmed">{i + 1}</Table.Td>
              <Table.Td fw={600}>{c.name}</Table.Td>
              <Table.Td className={classes.mono} data-testid="preview-schema-type">
                {c.type}
              </Table.Td>
              <Table.Td ta="right" data-testid="preview-schema-nulls" c={c.nulls === 0 ? 'dimmed' : undefined}>
                {c.nulls.toLocaleString()}
              </Table.Td>
              <Table.Td data-testid="preview-schema-examples">
                {c.examples.length === 0 ? (
                  <span className={classes.null}>only NULL</span>
                ) : (
                  c.examples.map((ex, j) => (
                    <span key={j} className={classes.example} title={ex}>
                      {ex === '' ? '""' : ex}
                    </span>
                  ))
                )}
              </Table.Td>
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </div>
  );
}
