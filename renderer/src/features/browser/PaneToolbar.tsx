import { ActionIcon, Group, TextInput, Tooltip } from '@mantine/core';
import { EyeIcon, RefreshIcon, UpIcon } from '../../components/icons';
import { SHORTCUTS } from './actions';
import { PathCrumbs } from './PathBar';
import type { PaneModel } from './use-pane';

/** Breadcrumbs, quick filter, hidden-files toggle, parent folder and refresh. */
export function PaneToolbar({ pane, onRefresh }: { pane: PaneModel; onRefresh: () => void }) {
  return (
    <Group gap={6} wrap="nowrap" justify="space-between">
      <div style={{ minWidth: 0, flex: 1 }}>
        <PathCrumbs path={pane.path} onNavigate={pane.navigate} />
      </div>
      <TextInput
        size="xs"
        w={150}
        placeholder="Filter names"
        aria-label="Filter names"
        data-testid="quick-filter"
        value={pane.filter}
        onChange={(e) => pane.setFilter(e.currentTarget.value)}
        onKeyDown={(e) => e.key === 'Escape' && pane.setFilter('')}
      />
      <Tooltip label={pane.showHidden ? 'Hide hidden files' : 'Show hidden files (names starting with ".")'}>
        <ActionIcon
          variant={pane.showHidden ? 'filled' : 'default'}
          aria-label="Show hidden files"
          aria-pressed={pane.showHidden}
          data-testid="toggle-hidden"
          onClick={pane.toggleHidden}
        >
          <EyeIcon />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={`Parent folder (${SHORTCUTS.parent})`}>
        <ActionIcon variant="default" aria-label="Parent folder" data-testid="go-up" onClick={pane.goUp} disabled={pane.path === '/'}>
          <UpIcon />
        </ActionIcon>
      </Tooltip>
      <Tooltip label={`Refresh (${SHORTCUTS.refresh})`}>
        <ActionIcon variant="default" aria-label="Refresh" data-testid="refresh" onClick={onRefresh} loading={pane.listing.loading}>
          <RefreshIcon />
        </ActionIcon>
      </Tooltip>
    </Group>
  );
}
