import { Badge, Group, Stack, Text } from '@mantine/core';
import classes from './Preview.module.css';
import type { Warning } from './table-view';

/** What the reader noticed but did not stop for (ragged rows with their line numbers, decimal commas…). */
export function WarningsList({ warnings }: { warnings: Warning[] }) {
  if (warnings.length === 0)
    return (
      <Text size="sm" c="dimmed" data-testid="preview-warnings">
        Nothing to report in the rows loaded.
      </Text>
    );
  return (
    <Stack gap={4} className={classes.schemaScroll} data-testid="preview-warnings">
      {warnings.map((w, i) => (
        <Group key={i} gap="xs" wrap="nowrap" align="baseline" data-testid="preview-warning" data-code={w.code} data-line={w.line}>
          <Badge size="sm" variant="light" color="yellow" miw={88} style={{ flex: 'none' }}>
            {w.line !== undefined ? `line ${w.line.toLocaleString()}` : 'file'}
          </Badge>
          <Text size="sm">
            {w.message}
            {w.column !== undefined && (
              <Text span size="sm" c="dimmed">
                {' '}
                (column {w.column})
              </Text>
            )}
          </Text>
          <Text size="xs" c="dimmed" className={classes.mono} ml="auto">
            {w.code}
          </Text>
        </Group>
      ))}
    </Stack>
  );
}
