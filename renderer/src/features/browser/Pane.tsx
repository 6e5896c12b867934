import { Alert, Button, Group, Loader, Paper, Stack } from '@mantine/core';
import { useMemo, useRef, useState } from 'react';
import type { Entry } from '../../../../shared/connectors';
import { dirname } from '../../../../shared/paths';
import { copyText } from '../../components/clipboard';
import type { PaneActions } from './actions';
import { DeleteDialog } from './DeleteDialog';
import { EndpointSelect } from './EndpointSelect';
import { FileTable } from './FileTable';
import { NameDialog } from './NameDialog';
import classes from './Pane.module.css';
import { PaneContextMenu, type ContextMenuState } from './PaneContextMenu';
import { PaneStatus } from './PaneStatus';
import { PaneToolbar } from './PaneToolbar';
import { PathField } from './PathBar';
import type { PaneModel } from './use-pane';
import { useFileOps } from './use-file-ops';

/** What the BrowserView supplies: everything that involves the other pane. */
export type CrossPaneActions = Pick<PaneActions, 'copyToOther' | 'moveToOther' | 'switchPane' | 'drop' | 'preview' | 'describeTable'>;

interface Props {
  pane: PaneModel;
  active: boolean;
  onActivate: () => void;
  cross: CrossPaneActions;
  toOther: PaneActions['toOther'];
  onManageConnections: () => void;
}

type Dialog = { kind: 'mkdir' } | { kind: 'rename'; entry: Entry } | { kind: 'delete'; entries: Entry[] } | null;

/** One side of the browser: endpoint picker, path, listing, and the file operations on that endpoint. */
export function Pane({ pane, active, onActivate, cross, toOther, onManageConnections }: Props) {
  const bodyRef = useRef<HTMLDivElement | null>(null);
  const [dialog, setDialog] = useState<Dialog>(null);
  const [menu, setMenu] = useState<ContextMenuState | null>(null);
  const ops = useFileOps(pane.endpoint);
  const { listing, info } = pane;
  const canRename = info.capabilities?.rename === true;
  const database = info.database;

  const actions: PaneActions = useMemo(
    () => ({
      open: (e) => (e.type === 'dir' || e.type === 'symlink') && pane.navigate(e.path),
      goUp: pane.goUp,
      refresh: () => void listing.refetch(),
      // A database holds tables, not folders and files: nothing there is made or deleted from a pane.
      newFolder: () => !database && setDialog({ kind: 'mkdir' }),
      rename: canRename ? (entry) => setDialog({ kind: 'rename', entry }) : undefined,
      remove: (entries) => !database && entries.length > 0 && setDialog({ kind: 'delete', entries }),
      copyPath: (paths) => paths.length > 0 && void copyText(paths.join('\n'), paths.length > 1 ? 'Paths' : 'Path'),
      contextMenu: (at, entries) => setMenu({ ...at, entries }),
      ...cross,
      toOther,
    }),
    [pane.navigate, pane.goUp, listing.refetch, canRename, database, cross, toOther],
  );

  const closeDialog = () => {
    setDialog(null);
    bodyRef.current?.focus();
  };

  /** Runs the dialog's operation; on success closes it and selects `select` (the new or renamed entry). */
  const runDialog = async (run: () => Promise<unknown>, select?: string) => {
    if ((await run()) === undefined) return;
    closeDialog();
    if (select) pane.update((s) => ({ ...s, selected: new Set([select]) }));
  };

  const error = pane.homeError ?? listing.error;
  const retry = pane.homeError ? pane.retryHome : actions.refresh;
  const empty = error ? null : listing.loading || pane.path === null ? <Loader size="sm" /> : pane.filter ? 'No names match the filter' : 'This folder is empty';

  return (
    <Paper
      withBorder
      className={classes.pane}
      data-testid={`pane-${pane.id}`}
      data-active={active || undefined}
      data-endpoint={pane.endpoint}
      data-path={pane.path ?? ''}
      data-loading={listing.loading || undefined}
      onMouseDownCapture={onActivate}
      onFocusCapture={onActivate}
    >
      <Stack gap={6} p={6} className={classes.chrome}>
        <Group gap={6} wrap="nowrap">
          <EndpointSelect value={pane.endpoint} onChange={pane.setEndpoint} onManage={onManageConnections} />
          <PathField path={pane.path} onNavigate={pane.navigate} />
        </Group>
        <PaneToolbar pane={pane} onRefresh={actions.refresh} />
      </Stack>
      {error && (
        <Alert color="red" title={error.title} m={6} data-testid="pane-error" data-code={error.code}>
          {error.message}
          <Group mt="xs" gap="xs">
            <Button size="xs" variant="light" color="red" onClick={retry} data-testid="pane-retry">
              Try again
            </Button>
            {pane.path !== null && pane.path !== '/' && (
              <Button size="xs" variant="subtle" color="red" onClick={pane.goUp}>
                Parent folder
              </Button>
            )}
          </Group>
        </Alert>
      )}
      <FileTable pane={pane} actions={actions} bodyRef={bodyRef} empty={empty} />
      <PaneStatus pane={pane} />

      <PaneContextMenu state={menu} actions={actions} folderPath={pane.path} database={database} onClose={() => setMenu(null)} />
      <NameDialog
        opened={dialog?.kind === 'mkdir'}
        title="New folder"
        initial=""
        confirmLabel="Create"
        busy={ops.busy}
        onClose={closeDialog}
        onConfirm={(name) => pane.path !== null && runDialog(() => ops.mkdir(pane.path!, name), name)}
      />
      <NameDialog
        opened={dialog?.kind === 'rename'}
        title="Rename"
        initial={dialog?.kind === 'rename' ? dialog.entry.name : ''}
        confirmLabel="Rename"
        busy={ops.busy}
        onClose={closeDialog}
        onConfirm={(name) => dialog?.kind === 'rename' && runDialog(() => ops.rename(dialog.entry.path, dirname(dialog.entry.path), name), name)}
      />
      <DeleteDialog
        entries={dialog?.kind === 'delete' ? dialog.entries : null}
        where={info.label}
        busy={ops.busy}
        onClose={closeDialog}
        onConfirm={() =>
          dialog?.kind === 'delete' &&
          runDialog(() => ops.remove(dialog.entries.map((e) => e.path), dialog.entries.some((e) => e.type === 'dir')))
        }
      />
    </Paper>
  );
}
