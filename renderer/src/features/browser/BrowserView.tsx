import { Splitter } from '@mantine/core';
import { useMemo, useRef, useState } from 'react';
import type { Entry } from '../../../../shared/connectors';
import { PreviewPanel } from '../preview/PreviewPanel';
import type { PreviewTarget } from '../preview/use-table-preview';
import { useTransfers } from '../transfers/use-transfers';
import { BrowserToolbar } from './BrowserToolbar';
import classes from './BrowserView.module.css';
import { Pane, type CrossPaneActions } from './Pane';
import { usePane, type PaneModel } from './use-pane';
import type { PaneId } from './use-pane-location';

const otherId = (id: PaneId): PaneId => (id === 'left' ? 'right' : 'left');

function focusPane(id: PaneId) {
  document.querySelector<HTMLElement>(`[data-testid="file-list-${id}"]`)?.focus();
}

/** The dual-pane browser: two panes, the active one highlighted, and the transfers between them. */
export function BrowserView({ onManageConnections }: { onManageConnections: () => void }) {
  const left = usePane('left');
  const right = usePane('right');
  const [active, setActive] = useState<PaneId>('left');
  const [preview, setPreview] = useState<PreviewTarget | null>(null);
  const transfers = useTransfers();
  // Cross-pane actions read the panes through a ref, so they stay stable while selections change.
  const panes = useRef<Record<PaneId, PaneModel>>({ left, right });
  panes.current = { left, right };

  const cross = useMemo(() => {
    const transfer = (kind: 'copy' | 'move', from: PaneId) => {
      const src = panes.current[from];
      const dst = panes.current[otherId(from)];
      if (src.selectedEntries.length === 0 || dst.path === null) return;
      void transfers.start({
        kind,
        source: { endpoint: src.endpoint, paths: src.selectedEntries.map((e) => e.path) },
        destination: { endpoint: dst.endpoint, path: dst.path },
      });
    };
    const make = (id: PaneId): CrossPaneActions => ({
      copyToOther: () => transfer('copy', id),
      moveToOther: () => transfer('move', id),
      switchPane: () => focusPane(otherId(id)),
      preview: (entry: Entry) => {
        const p = panes.current[id];
        setPreview({ endpoint: p.endpoint, path: entry.path, name: entry.name, label: p.info.label });
      },
      drop: (payload, destPath, move) =>
        void transfers.start({
          kind: move ? 'move' : 'copy',
          source: { endpoint: payload.endpoint, paths: payload.paths },
          destination: { endpoint: panes.current[id].endpoint, path: destPath },
        }),
    });
    return { left: make('left'), right: make('right') };
  }, [transfers]);

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
        onCopy={cross[active].copyToOther}
        onMove={cross[active].moveToOther}
        onSync={openSync}
      />
      <Splitter className={classes.panes} lineSize={4}>
        <Splitter.Pane defaultSize={50} min={20}>
          <Pane pane={left} active={active === 'left'} onActivate={() => setActive('left')} cross={cross.left} onManageConnections={onManageConnections} />
        </Splitter.Pane>
        <Splitter.Pane defaultSize={50} min={20}>
          <Pane pane={right} active={active === 'right'} onActivate={() => setActive('right')} cross={cross.right} onManageConnections={onManageConnections} />
        </Splitter.Pane>
      </Splitter>
      <PreviewPanel target={preview} onClose={() => setPreview(null)} />
    </div>
  );
}
