import { Splitter } from '@mantine/core';
import { useMemo, useRef, useState } from 'react';
import type { Entry } from '../../../../shared/connectors';
import { DatabaseDialogs } from '../databases/DatabaseDialogs';
import type { Side } from '../databases/route-transfer';
import { useDatabaseDialogs } from '../databases/use-database-dialogs';
import { usePreviewOpener } from '../preview/use-preview-opener';
import { useTransfers } from '../transfers/use-transfers';
import { BrowserToolbar } from './BrowserToolbar';
import classes from './BrowserView.module.css';
import { Pane, type CrossPaneActions } from './Pane';
import { usePane, type PaneModel } from './use-pane';
import type { PaneId } from './use-pane-location';

const otherId = (id: PaneId): PaneId => (id === 'left' ? 'right' : 'left');

const sideOf = (p: PaneModel): Side => ({ endpoint: p.endpoint, label: p.info.label, database: p.info.database });

/** What sending a selection from `from` to `to` means: a database on either side makes it an export or a load. */
const towardOther = (from: PaneModel, to: PaneModel) => (to.info.database ? 'load' : from.info.database ? 'export' : 'copy');

function focusPane(id: PaneId) {
  document.querySelector<HTMLElement>(`[data-testid="file-list-${id}"]`)?.focus();
}

/** The dual-pane browser: two panes, the active one highlighted, and the transfers between them. */
export function BrowserView({ onManageConnections }: { onManageConnections: () => void }) {
  const left = usePane('left');
  const right = usePane('right');
  const [active, setActive] = useState<PaneId>('left');
  const openPreview = usePreviewOpener();
  const transfers = useTransfers();
  // Cross-pane actions read the panes through a ref, so they stay stable while selections change.
  const panes = useRef<Record<PaneId, PaneModel>>({ left, right });
  panes.current = { left, right };

  const db = useDatabaseDialogs();
  const { route, openColumns } = db;

  const cross = useMemo(() => {
    /** Files are copied or moved; a database on either side opens the export or mapping dialog instead. */
    const send = async (kind: 'copy' | 'move', from: PaneModel, to: PaneModel, paths: string[], destPath: string) => {
      if (await route(sideOf(from), sideOf(to), paths, destPath)) return;
      void transfers.start({ kind, source: { endpoint: from.endpoint, paths }, destination: { endpoint: to.endpoint, path: destPath } });
    };
    const transfer = (kind: 'copy' | 'move', from: PaneId) => {
      const src = panes.current[from];
      const dst = panes.current[otherId(from)];
      if (src.selectedEntries.length === 0 || dst.path === null) return;
      void send(kind, src, dst, src.selectedEntries.map((e) => e.path), dst.path);
    };
    const make = (id: PaneId): CrossPaneActions => ({
      copyToOther: () => transfer('copy', id),
      moveToOther: () => transfer('move', id),
      switchPane: () => focusPane(otherId(id)),
      preview: (entry: Entry) => {
        const p = panes.current[id];
        openPreview({ endpoint: p.endpoint, path: entry.path, name: entry.name, label: p.info.label });
      },
      drop: (payload, destPath, move) => void send(move ? 'move' : 'copy', panes.current[payload.pane], panes.current[id], payload.paths, destPath),
      describeTable: (entry: Entry) => {
        const p = panes.current[id];
        openColumns({ endpoint: p.endpoint, path: entry.path, label: p.info.label });
      },
    });
    return { left: make('left'), right: make('right') };
  }, [transfers, route, openColumns, openPreview]);

  const src = active === 'left' ? left : right;
  const dst = active === 'left' ? right : left;
  const openSync = () => {
    if (src.path === null || dst.path === null) return;
    transfers.openSync({
      source: { endpoint: src.endpoint, path: src.path, label: src.info.label },
      destination: { endpoint: dst.endpoint, path: dst.path, label: dst.info.label },
    });
  };

  return (
    <div className={classes.browser}>
      <BrowserToolbar
        direction={active === 'left' ? 'right' : 'left'}
        selected={src.selectedEntries.length}
        canTransfer={dst.path !== null}
        database={src.info.database || dst.info.database}
        onCopy={cross[active].copyToOther}
        onMove={cross[active].moveToOther}
        onSync={openSync}
      />
      <Splitter className={classes.panes} lineSize={4}>
        <Splitter.Pane defaultSize={50} min={20}>
          <Pane
            pane={left}
            active={active === 'left'}
            onActivate={() => setActive('left')}
            cross={cross.left}
            toOther={towardOther(left, right)}
            onManageConnections={onManageConnections}
          />
        </Splitter.Pane>
        <Splitter.Pane defaultSize={50} min={20}>
          <Pane
            pane={right}
            active={active === 'right'}
            onActivate={() => setActive('right')}
            cross={cross.right}
            toOther={towardOther(right, left)}
            onManageConnections={onManageConnections}
          />
        </Splitter.Pane>
      </Splitter>
      <DatabaseDialogs dialog={db.dialog} onClose={db.close} />
    </div>
  );
}
