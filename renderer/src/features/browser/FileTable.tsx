import { useVirtualizer } from '@tanstack/react-virtual';
import { useCallback, useRef, useState, type DragEvent, type MouseEvent, type RefObject } from 'react';
import type { Entry } from '../../../../shared/connectors';
import type { PaneActions } from './actions';
import { dragSource, readDrop, startDrag } from './dnd';
import { FileRow } from './FileRow';
import classes from './FileTable.module.css';
import { FileTableHeader } from './FileTableHeader';
import { clickRow } from './selection';
import type { PaneModel } from './use-pane';
import { useTableKeys } from './use-table-keys';

const ROW_HEIGHT = 28;

function rowIndex(e: { target: EventTarget }): number {
  const el = (e.target as HTMLElement).closest<HTMLElement>('[data-index]');
  return el ? Number(el.dataset.index) : -1;
}

interface Props {
  pane: PaneModel;
  actions: PaneActions;
  bodyRef: RefObject<HTMLDivElement | null>;
  empty: React.ReactNode;
}

/** The virtualized listing: only the rows on screen exist in the DOM, so 100,000 entries scroll smoothly. */
export function FileTable({ pane, actions, bodyRef, empty }: Props) {
  const { rows, selection, update, id } = pane;
  const [dropIndex, setDropIndex] = useState<number | null>(null);
  const [dropOnPane, setDropOnPane] = useState(false);
  // A plain click on an already-selected row collapses the selection on mouseup, not mousedown,
  // so that several selected rows can still be dragged together.
  const collapseOnClick = useRef(-1);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => bodyRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const reveal = useCallback((i: number) => virtualizer.scrollToIndex(i), [virtualizer]);
  const pageSize = Math.max(1, Math.floor((bodyRef.current?.clientHeight ?? 400) / ROW_HEIGHT) - 1);
  const onKeyDown = useTableKeys(pane, actions, pageSize, reveal);

  const onMouseDown = (e: MouseEvent) => {
    if (e.button !== 0) return;
    const i = rowIndex(e);
    collapseOnClick.current = -1;
    if (i < 0) return;
    const mods = { ctrl: e.ctrlKey || e.metaKey, shift: e.shiftKey };
    if (!mods.ctrl && !mods.shift && selection.selected.has(rows[i].name)) {
      collapseOnClick.current = i;
      update((s) => ({ ...s, anchor: i, cursor: i }));
    } else {
      update((s) => clickRow(s, pane.names, i, mods));
    }
  };

  const onClick = (e: MouseEvent) => {
    const i = rowIndex(e);
    if (i < 0) {
      if (!e.ctrlKey && !e.metaKey && !e.shiftKey) pane.clear();
    } else if (collapseOnClick.current === i) {
      update((s) => clickRow(s, pane.names, i, { ctrl: false, shift: false }));
    }
    collapseOnClick.current = -1;
  };

  const onDoubleClick = (e: MouseEvent) => {
    const i = rowIndex(e);
    if (i >= 0) actions.open(rows[i]);
  };

  const onContextMenu = (e: MouseEvent) => {
    e.preventDefault();
    const i = rowIndex(e);
    let entries: Entry[] = [];
    if (i >= 0) {
      const name = rows[i].name;
      if (selection.selected.has(name)) entries = pane.selectedEntries;
      else {
        update((s) => clickRow(s, pane.names, i, { ctrl: false, shift: false }));
        entries = [rows[i]];
      }
    } else pane.clear();
    actions.contextMenu({ x: e.clientX, y: e.clientY }, entries);
  };

  const onDragStart = (e: DragEvent) => {
    const i = rowIndex(e);
    if (i < 0) return;
    collapseOnClick.current = -1;
    let dragged = pane.selectedEntries;
    if (!selection.selected.has(rows[i].name)) {
      update((s) => clickRow(s, pane.names, i, { ctrl: false, shift: false }));
      dragged = [rows[i]];
    }
    startDrag(e.dataTransfer, { pane: id, endpoint: pane.endpoint, paths: dragged.map((r) => r.path) });
  };

  /** Where a drag over this table would land: a folder row (not one being dragged), else this pane's folder. */
  const dropTarget = (e: DragEvent): { index: number | null; ok: boolean } => {
    const from = dragSource(e.dataTransfer);
    if (!from) return { index: null, ok: false };
    const i = rowIndex(e);
    const row = i >= 0 ? rows[i] : null;
    const draggingThisRow = from === id && row !== null && selection.selected.has(row.name);
    // A folder row takes the drop; so does a database's table (a load into that table) from the other pane.
    if ((row?.type === 'dir' || (row?.table && from !== id)) && !draggingThisRow) return { index: i, ok: true };
    return { index: null, ok: from !== id };
  };

  const onDragOver = (e: DragEvent) => {
    const t = dropTarget(e);
    setDropIndex(t.index);
    setDropOnPane(t.ok && t.index === null);
    if (!t.ok) return;
    e.preventDefault();
    e.dataTransfer.dropEffect = e.shiftKey ? 'move' : 'copy';
  };

  const onDrop = (e: DragEvent) => {
    const t = dropTarget(e);
    setDropIndex(null);
    setDropOnPane(false);
    const payload = readDrop(e.dataTransfer);
    if (!t.ok || !payload || pane.path === null) return;
    e.preventDefault();
    const dest = t.index !== null ? rows[t.index].path : pane.path;
    actions.drop(payload, dest, e.shiftKey);
  };

  const clearDrop = () => {
    setDropIndex(null);
    setDropOnPane(false);
  };

  return (
    <div className={classes.table} role="grid" aria-multiselectable data-testid={`table-${id}`}>
      <FileTableHeader sort={pane.sort} onSort={pane.setSort} database={pane.info.database} />
      <div
        ref={bodyRef}
        className={classes.body}
        tabIndex={0}
        data-testid={`file-list-${id}`}
        data-drop-target={dropOnPane || undefined}
        onKeyDown={onKeyDown}
        onMouseDown={onMouseDown}
        onClick={onClick}
        onDoubleClick={onDoubleClick}
        onContextMenu={onContextMenu}
        onDragStart={onDragStart}
        onDragOver={onDragOver}
        onDragLeave={clearDrop}
        onDragEnd={clearDrop}
        onDrop={onDrop}
      >
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => {
            const entry = rows[v.index];
            return (
              <FileRow
                key={entry.name}
                entry={entry}
                index={v.index}
                top={v.start}
                selected={selection.selected.has(entry.name)}
                cursor={selection.cursor === v.index}
                dropTarget={dropIndex === v.index}
              />
            );
          })}
        </div>
        {rows.length === 0 && <div className={classes.empty}>{empty}</div>}
      </div>
    </div>
  );
}
