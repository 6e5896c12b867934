import { Autocomplete, Badge, Checkbox, Table, Text, TextInput } from '@mantine/core';
import type { LoadPlan } from '../../../../shared/table';
import { CAST_TYPES, type MappingRow } from './load-model';

const STATUS_COLORS = { load: 'green', extra: 'red', missing: 'yellow', skipped: 'gray' } as const;
const STATUS_LABELS = { load: 'loads', extra: 'not in the table', missing: 'no source', skipped: 'left out' } as const;

interface Props {
  rows: readonly MappingRow[];
  /** The dry run's pairing (status, database type), when there is one. */
  mapping: LoadPlan['mapping'] | null;
  onChange: (index: number, patch: Partial<MappingRow>) => void;
}

/**
 * The mapping step: each source column with its inferred type, kept or left out, renamed, cast, its NULLs
 * filled; and how the dry run paired it with the table (target columns no source fills are listed last).
 */
export function MappingTable({ rows, mapping, onChange }: Props) {
  const bySource = new Map((mapping ?? []).filter((m) => m.source !== null).map((m) => [m.source as string, m]));
  const unfilled = (mapping ?? []).filter((m) => m.source === null);
  return (
    <Table withTableBorder striped verticalSpacing={4} fz="sm" data-testid="load-mapping">
      <Table.Thead>
        <Table.Tr>
          <Table.Th w={40}>Load</Table.Th>
          <Table.Th>File column</Table.Th>
          <Table.Th>Inferred</Table.Th>
          <Table.Th>Table column</Table.Th>
          <Table.Th>Cast to</Table.Th>
          <Table.Th>NULL becomes</Table.Th>
          <Table.Th>In the table</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {rows.map((r, i) => {
          const m = bySource.get(r.source);
          return (
            <Table.Tr key={r.source} data-testid={`load-col-${r.source}`} data-status={m?.status}>
              <Table.Td>
                <Checkbox aria-label={`Load ${r.source}`} checked={r.include} onChange={(e) => onChange(i, { include: e.currentTarget.checked })} data-testid="load-col-include" />
              </Table.Td>
              <Table.Td>
                <Text size="sm" ff="monospace">
                  {r.source}
                </Text>
              </Table.Td>
              <Table.Td>
                <Text size="xs" c="dimmed" data-testid="load-col-inferred">
                  {r.inferred}
                </Text>
              </Table.Td>
              <Table.Td>
                <TextInput size="xs" disabled={!r.include} value={r.target} onChange={(e) => onChange(i, { target: e.currentTarget.value })} data-testid="load-col-target" />
              </Table.Td>
              <Table.Td>
                <Autocomplete
                  size="xs"
                  disabled={!r.include}
                  placeholder="as inferred"
                  data={CAST_TYPES}
                  value={r.cast}
                  onChange={(v) => onChange(i, { cast: v })}
                  data-testid="load-col-cast"
                />
              </Table.Td>
              <Table.Td>
                <TextInput size="xs" disabled={!r.include} placeholder="NULL" value={r.fill} onChange={(e) => onChange(i, { fill: e.currentTarget.value })} data-testid="load-col-fill" />
              </Table.Td>
              <Table.Td>
                {m && <PairedAs status={m.status} dbType={m.dbType} />}
              </Table.Td>
            </Table.Tr>
          );
        })}
        {unfilled.map((m) => (
          <Table.Tr key={`target-${m.target}`} data-testid={`load-target-${m.target}`} data-status={m.status}>
            <Table.Td />
            <Table.Td colSpan={2}>
              <Text size="xs" c="dimmed">
                (none)
              </Text>
            </Table.Td>
            <Table.Td>
              <Text size="sm" ff="monospace">
                {m.target}
              </Text>
            </Table.Td>
            <Table.Td colSpan={2} />
            <Table.Td>
              <PairedAs status={m.status} dbType={m.dbType} />
            </Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function PairedAs({ status, dbType }: { status: keyof typeof STATUS_COLORS; dbType: string | null }) {
  return (
    <>
      <Badge size="xs" variant="light" color={STATUS_COLORS[status]} data-testid="load-col-status">
        {STATUS_LABELS[status]}
      </Badge>{' '}
      {dbType && (
        <Text span size="xs" ff="monospace" data-testid="load-col-dbtype">
          {dbType}
        </Text>
      )}
    </>
  );
}
