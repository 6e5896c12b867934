import { Text } from '@mantine/core';
import { formatBytes, plural } from '../../components/format';
import type { PaneModel } from './use-pane';

/** "12 folders, 340 files · 3 selected (1.2 MB)" under the table. */
export function PaneStatus({ pane }: { pane: PaneModel }) {
  const total = pane.listing.data?.entries.length ?? 0;
  const dirs = pane.dirCount;
  const files = pane.rows.length - dirs;
  const sel = pane.selectedEntries;
  const selBytes = sel.reduce((n, e) => n + (e.type === 'dir' ? 0 : e.size), 0);
  const hidden = total - pane.rows.length;
  return (
    <Text size="xs" c="dimmed" px={8} py={2} data-testid="pane-status" truncate>
      {plural(dirs, 'folder')}, {plural(files, 'file')}
      {hidden > 0 ? ` (${hidden.toLocaleString()} hidden or filtered)` : ''}
      {sel.length > 0 ? ` · ${sel.length.toLocaleString()} selected (${formatBytes(selBytes)})` : ''}
    </Text>
  );
}
