/**
 * Pure selection logic for a list of rows, by name (names survive a refresh; indexes do not).
 * `anchor` is where a Shift range starts, `cursor` the focused row the keyboard moves.
 */
export interface Selection {
  selected: ReadonlySet<string>;
  anchor: number;
  cursor: number;
}

export const EMPTY_SELECTION: Selection = { selected: new Set(), anchor: -1, cursor: -1 };

function range(names: readonly string[], from: number, to: number): Set<string> {
  const [a, b] = from <= to ? [from, to] : [to, from];
  return new Set(names.slice(Math.max(0, a), b + 1));
}

/** Plain click: only this row. Ctrl/Cmd: toggle it. Shift: the range from the anchor (Ctrl+Shift adds it). */
export function clickRow(s: Selection, names: readonly string[], i: number, mods: { ctrl: boolean; shift: boolean }): Selection {
  const name = names[i];
  if (mods.shift && s.anchor >= 0) {
    const r = range(names, s.anchor, i);
    if (mods.ctrl) for (const n of s.selected) r.add(n);
    return { selected: r, anchor: s.anchor, cursor: i };
  }
  if (mods.ctrl) {
    const next = new Set(s.selected);
    if (next.has(name)) next.delete(name);
    else next.add(name);
    return { selected: next, anchor: i, cursor: i };
  }
  return { selected: new Set([name]), anchor: i, cursor: i };
}

/** Arrow keys (delta ±1, PageUp/Down ±n, Home/End to the ends); Shift extends from the anchor. */
export function moveCursor(s: Selection, names: readonly string[], to: number, shift: boolean): Selection {
  if (names.length === 0) return s;
  const cursor = Math.max(0, Math.min(names.length - 1, to));
  if (shift) {
    const anchor = s.anchor >= 0 ? s.anchor : cursor;
    return { selected: range(names, anchor, cursor), anchor, cursor };
  }
  return { selected: new Set([names[cursor]]), anchor: cursor, cursor };
}

export function selectAll(names: readonly string[], cursor: number): Selection {
  return { selected: new Set(names), anchor: 0, cursor: Math.max(0, cursor) };
}

/** After the rows change (refresh, filter), keep only names that are still there. */
export function prune(s: Selection, names: readonly string[]): Selection {
  if (s.selected.size === 0) return { ...s, cursor: Math.min(s.cursor, names.length - 1) };
  const present = new Set(names);
  const kept = [...s.selected].filter((n) => present.has(n));
  if (kept.length === s.selected.size && s.cursor < names.length) return s;
  return { selected: new Set(kept), anchor: Math.min(s.anchor, names.length - 1), cursor: Math.min(s.cursor, names.length - 1) };
}
