import type { Entry } from '../../../../shared/connectors';
import type { DragPayload } from './dnd';

/** What a pane's table, keyboard and context menu can ask for; built by the Pane and the BrowserView. */
export interface PaneActions {
  open(entry: Entry): void;
  goUp(): void;
  refresh(): void;
  newFolder(): void;
  /** Absent when the endpoint's capabilities have no rename. */
  rename?: (entry: Entry) => void;
  /** Asks for confirmation first. */
  remove(entries: Entry[]): void;
  copyPath(paths: string[]): void;
  copyToOther(): void;
  moveToOther(): void;
  switchPane(): void;
  drop(payload: DragPayload, destPath: string, move: boolean): void;
  contextMenu(at: { x: number; y: number }, entries: Entry[]): void;
  /** Opens the table preview of a file (Space, or "Preview" in the context menu). */
  preview(entry: Entry): void;
  /** A database table's columns, types, nullability and key. */
  describeTable(entry: Entry): void;
  /** What copying to the other pane is: files, or (a database on either side) an export or a load, which open their dialog. */
  toOther: 'copy' | 'export' | 'load';
}

/** Keyboard shortcuts, shown in tooltips and the context menu. */
export const SHORTCUTS = {
  copy: 'Ctrl+Shift+C',
  move: 'F6',
  rename: 'F2',
  newFolder: 'F7',
  delete: 'Delete',
  refresh: 'F5',
  parent: 'Backspace',
  switchPane: 'Tab',
  preview: 'Space',
} as const;
