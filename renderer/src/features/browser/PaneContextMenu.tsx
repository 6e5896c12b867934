import { Menu } from '@mantine/core';
import type { Entry } from '../../../../shared/connectors';
import { SHORTCUTS, type PaneActions } from './actions';

export interface ContextMenuState {
  x: number;
  y: number;
  /** The entries the menu acts on; empty when opened on blank space (acts on the folder). */
  entries: Entry[];
}

interface Props {
  state: ContextMenuState | null;
  actions: PaneActions;
  folderPath: string | null;
  /** A database's pane: no New folder or Delete (it holds tables). */
  database: boolean;
  onClose: () => void;
}

/**
 * Right-click menu. Items follow the endpoint's declared capabilities (no Rename without capabilities.rename);
 * with a database on either side, copying becomes "Export…" or "Load into table…".
 */
export function PaneContextMenu({ state, actions, folderPath, database, onClose }: Props) {
  const entries = state?.entries ?? [];
  const one = entries.length === 1 ? entries[0] : null;
  return (
    <Menu opened={state !== null} onChange={(o) => !o && onClose()} position="bottom-start" offset={2} withinPortal shadow="md" width={270}>
      <Menu.Target>
        <div style={{ position: 'fixed', left: state?.x ?? 0, top: state?.y ?? 0, width: 1, height: 1, pointerEvents: 'none' }} />
      </Menu.Target>
      <Menu.Dropdown data-testid="context-menu">
        {one?.type === 'dir' && (
          <Menu.Item data-testid="menu-open" onClick={() => actions.open(one)}>
            Open
          </Menu.Item>
        )}
        {one && one.type !== 'dir' && (
          <Menu.Item data-testid="menu-preview" rightSection={SHORTCUTS.preview} onClick={() => actions.preview(one)}>
            Preview
          </Menu.Item>
        )}
        {one?.table && (
          <Menu.Item data-testid="menu-columns" onClick={() => actions.describeTable(one)}>
            Columns…
          </Menu.Item>
        )}
        {entries.length > 0 && actions.toOther === 'copy' && (
          <>
            <Menu.Item data-testid="menu-copy-to-other" rightSection={SHORTCUTS.copy} onClick={actions.copyToOther}>
              Copy to other pane
            </Menu.Item>
            <Menu.Item data-testid="menu-move-to-other" rightSection={SHORTCUTS.move} onClick={actions.moveToOther}>
              Move to other pane
            </Menu.Item>
            <Menu.Divider />
          </>
        )}
        {entries.length > 0 && actions.toOther !== 'copy' && (
          <>
            {/* The dialog takes over: the destination is the other pane's folder, or its schema or table. */}
            <Menu.Item data-testid={`menu-${actions.toOther}`} rightSection={SHORTCUTS.copy} onClick={actions.copyToOther}>
              {actions.toOther === 'export' ? 'Export to other pane…' : 'Load into table…'}
            </Menu.Item>
            <Menu.Divider />
          </>
        )}
        {!database && (
          <Menu.Item data-testid="menu-new-folder" rightSection={SHORTCUTS.newFolder} onClick={actions.newFolder}>
            New folder
          </Menu.Item>
        )}
        {one && actions.rename && (
          <Menu.Item data-testid="menu-rename" rightSection={SHORTCUTS.rename} onClick={() => actions.rename?.(one)}>
            Rename
          </Menu.Item>
        )}
        {entries.length > 0 && !database && (
          <Menu.Item data-testid="menu-delete" color="red" rightSection={SHORTCUTS.delete} onClick={() => actions.remove(entries)}>
            Delete{entries.length > 1 ? ` ${entries.length} items` : ''}…
          </Menu.Item>
        )}
        <Menu.Divider />
        <Menu.Item data-testid="menu-refresh" rightSection={SHORTCUTS.refresh} onClick={actions.refresh}>
          Refresh
        </Menu.Item>
        <Menu.Item
          data-testid="menu-copy-path"
          onClick={() => actions.copyPath(entries.length > 0 ? entries.map((e) => e.path) : folderPath ? [folderPath] : [])}
        >
          Copy path{entries.length > 1 ? 's' : ''}
        </Menu.Item>
      </Menu.Dropdown>
    </Menu>
  );
}
