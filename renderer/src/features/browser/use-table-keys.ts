import { useCallback, type KeyboardEvent } from 'react';
import type { PaneActions } from './actions';
import { moveCursor, selectAll } from './selection';
import type { PaneModel } from './use-pane';

/**
 * The file table's keyboard: arrows / Page / Home / End move (Shift extends), Enter opens a folder,
 * Backspace goes up, F5 refreshes, Ctrl+A selects all, Delete asks to delete, F2 renames, F7 new folder,
 * Ctrl+Shift+C copies and F6 moves to the other pane, Tab switches panes, Escape clears the selection,
 * Space previews the file under the cursor (or the one selected file) as a table.
 */
export function useTableKeys(pane: PaneModel, actions: PaneActions, pageSize: number, reveal: (index: number) => void) {
  const { rows, names, selection, update, clear } = pane;

  return useCallback(
    (e: KeyboardEvent) => {
      const ctrl = e.ctrlKey || e.metaKey;
      const cur = selection.cursor;
      const moveTo = (i: number) => {
        e.preventDefault();
        const next = moveCursor(selection, names, i, e.shiftKey);
        update(() => next);
        reveal(next.cursor);
      };
      // Delete acts on the selection, or on the row under the cursor when nothing is selected.
      const selected = () => (selection.selected.size > 0 ? pane.selectedEntries : cur >= 0 && rows[cur] ? [rows[cur]] : []);

      switch (e.key) {
        case 'ArrowDown':
          return moveTo(cur < 0 ? 0 : cur + 1);
        case 'ArrowUp':
          return moveTo(cur < 0 ? 0 : cur - 1);
        case 'PageDown':
          return moveTo(Math.max(0, cur) + pageSize);
        case 'PageUp':
          return moveTo(cur - pageSize);
        case 'Home':
          return moveTo(0);
        case 'End':
          return moveTo(names.length - 1);
        case 'Enter':
          if (cur >= 0 && rows[cur]) actions.open(rows[cur]);
          break;
        case 'Backspace':
          actions.goUp();
          break;
        case 'F5':
          actions.refresh();
          break;
        case 'F6':
          actions.moveToOther();
          break;
        case 'F7':
          actions.newFolder();
          break;
        case 'F2':
          if (cur >= 0 && rows[cur] && actions.rename) actions.rename(rows[cur]);
          break;
        case 'Delete':
          actions.remove(selected());
          break;
        case 'Escape':
          clear();
          break;
        case 'Tab':
          actions.switchPane();
          break;
        case ' ': {
          if (ctrl || e.altKey) return;
          const one = cur >= 0 && rows[cur] ? rows[cur] : pane.selectedEntries.length === 1 ? pane.selectedEntries[0] : null;
          if (one && one.type !== 'dir') actions.preview(one);
          break;
        }
        default:
          if (ctrl && e.key.toLowerCase() === 'a') update(() => selectAll(names, cur));
          else if (ctrl && e.shiftKey && e.key.toLowerCase() === 'c') actions.copyToOther();
          else return;
      }
      e.preventDefault();
    },
    [rows, names, selection, update, clear, actions, pageSize, reveal, pane.selectedEntries],
  );
}
