import { useCallback, useEffect, useState } from 'react';
import { EMPTY_SELECTION, prune, type Selection } from './selection';

/** Selection state for a list of names, pruned when the names change, cleared when the folder changes. */
export function useSelection(names: readonly string[], resetKey: string) {
  const [selection, setSelection] = useState<Selection>(EMPTY_SELECTION);

  useEffect(() => setSelection(EMPTY_SELECTION), [resetKey]);
  useEffect(() => setSelection((s) => prune(s, names)), [names]);

  const update = useCallback((fn: (s: Selection) => Selection) => setSelection(fn), []);
  const clear = useCallback(() => setSelection(EMPTY_SELECTION), []);
  return { selection, update, clear };
}
