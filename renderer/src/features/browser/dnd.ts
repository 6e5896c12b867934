import type { PaneId } from './use-pane-location';

/**
 * Drag and drop between panes. The payload is JSON under our own MIME type; the source pane is also encoded
 * in a second type's name because only the type names (not the data) can be read during dragover.
 */
const MIME = 'application/x-ferry-entries';
const FROM_PREFIX = 'application/x-ferry-from-';

export interface DragPayload {
  pane: PaneId;
  endpoint: string;
  paths: string[];
}

export function startDrag(dt: DataTransfer, payload: DragPayload): void {
  dt.setData(MIME, JSON.stringify(payload));
  dt.setData(FROM_PREFIX + payload.pane, '1');
  dt.setData('text/plain', payload.paths.join('\n'));
  dt.effectAllowed = 'copyMove';
}

/** The pane a Ferry drag comes from, or null when it is not ours (files from the desktop, text). */
export function dragSource(dt: DataTransfer): PaneId | null {
  if (!dt.types.includes(MIME)) return null;
  if (dt.types.includes(FROM_PREFIX + 'left')) return 'left';
  if (dt.types.includes(FROM_PREFIX + 'right')) return 'right';
  return null;
}

export function readDrop(dt: DataTransfer): DragPayload | null {
  try {
    const p = JSON.parse(dt.getData(MIME)) as DragPayload;
    return Array.isArray(p?.paths) && p.paths.length > 0 ? p : null;
  } catch {
    return null;
  }
}
