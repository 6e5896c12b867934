import { describe, expect, it } from 'vitest';
import type { Entry } from '../../shared/connectors';
import { filterEntries, kindOf, sortEntries } from '../../renderer/src/features/browser/sort';
import { clickRow, EMPTY_SELECTION, moveCursor, prune, selectAll } from '../../renderer/src/features/browser/selection';

/** The browser pane's pure logic: what order rows appear in, which are hidden, what a click selects. */
const e = (name: string, type: Entry['type'] = 'file', size = 0, modified: string | null = null): Entry => ({ name, path: '/d/' + name, type, size, modified });
const names = (list: readonly Entry[]) => list.map((x) => x.name);

describe('sorting a listing', () => {
  const list = [e('file10.txt', 'file', 5), e('b-dir', 'dir'), e('File9.txt', 'file', 50), e('a-dir', 'dir'), e('.env', 'file', 1)];

  it('puts folders first and orders names as people count (9 before 10), ignoring case', () => {
    expect(names(sortEntries(list, { key: 'name', desc: false }))).toEqual(['a-dir', 'b-dir', '.env', 'File9.txt', 'file10.txt']);
  });

  it('keeps folders first when the order is reversed', () => {
    expect(names(sortEntries(list, { key: 'name', desc: true }))).toEqual(['b-dir', 'a-dir', 'file10.txt', 'File9.txt', '.env']);
  });

  it('sorts by size, then by name for equal sizes', () => {
    const sized = [e('z', 'file', 2), e('a', 'file', 2), e('m', 'file', 1)];
    expect(names(sortEntries(sized, { key: 'size', desc: false }))).toEqual(['m', 'a', 'z']);
  });

  it('sorts by modification time even when timestamps have different precision', () => {
    const dated = [e('late', 'file', 0, '2026-01-01T00:00:01Z'), e('early', 'file', 0, '2026-01-01T00:00:00.500Z'), e('unknown')];
    expect(names(sortEntries(dated, { key: 'modified', desc: false }))).toEqual(['unknown', 'early', 'late']);
  });

  it('names the kind from the extension', () => {
    expect([kindOf(e('a.csv')), kindOf(e('README')), kindOf(e('x', 'dir')), kindOf(e('.bashrc'))]).toEqual(['CSV file', 'File', 'Folder', 'File']);
  });

  it('sorts 100,000 entries and keeps every one', () => {
    const big = Array.from({ length: 100_000 }, (_, i) => e(`file-${(i * 7919) % 100_000}.dat`, 'file', i));
    const sorted = sortEntries(big, { key: 'name', desc: false });
    expect(sorted).toHaveLength(100_000);
    expect(sorted[0].name).toBe('file-0.dat');
    expect(sorted[99_999].name).toBe('file-99999.dat');
  });
});

describe('hidden files and the quick filter', () => {
  const list = [e('.git', 'dir'), e('Orders.csv'), e('notes.txt')];
  it('hides names starting with "." unless shown', () => {
    expect(names(filterEntries(list, false, ''))).toEqual(['Orders.csv', 'notes.txt']);
    expect(names(filterEntries(list, true, ''))).toEqual(['.git', 'Orders.csv', 'notes.txt']);
  });
  it('matches a part of the name, whatever its case', () => {
    expect(names(filterEntries(list, true, 'ORD'))).toEqual(['Orders.csv']);
  });
});

describe('selecting rows', () => {
  const rows = ['a', 'b', 'c', 'd', 'e'];
  const sel = (s: { selected: ReadonlySet<string> }) => [...s.selected].sort();

  it('click selects one row, Ctrl-click toggles, Shift-click selects the range from the anchor', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 1, { ctrl: false, shift: false });
    expect(sel(s)).toEqual(['b']);
    s = clickRow(s, rows, 3, { ctrl: true, shift: false });
    expect(sel(s)).toEqual(['b', 'd']);
    s = clickRow(s, rows, 3, { ctrl: true, shift: false });
    expect(sel(s)).toEqual(['b']);
    s = clickRow(clickRow(EMPTY_SELECTION, rows, 1, { ctrl: false, shift: false }), rows, 3, { ctrl: false, shift: true });
    expect(sel(s)).toEqual(['b', 'c', 'd']);
  });

  it('Ctrl+Shift-click adds a range to what is selected', () => {
    let s = clickRow(EMPTY_SELECTION, rows, 0, { ctrl: false, shift: false });
    s = clickRow(s, rows, 3, { ctrl: true, shift: false });
    s = clickRow(s, rows, 4, { ctrl: true, shift: true });
    expect(sel(s)).toEqual(['a', 'd', 'e']);
  });

  it('arrows move one row; Shift+arrows extend from the anchor; the cursor stays inside the list', () => {
    let s = moveCursor(EMPTY_SELECTION, rows, 0, false);
    s = moveCursor(s, rows, s.cursor + 1, true);
    s = moveCursor(s, rows, s.cursor + 1, true);
    expect(sel(s)).toEqual(['a', 'b', 'c']);
    s = moveCursor(s, rows, 99, false);
    expect(s.cursor).toBe(4);
    expect(sel(s)).toEqual(['e']);
  });

  it('Ctrl+A selects all; a refresh keeps only names still listed', () => {
    const all = selectAll(rows, 2);
    expect(all.selected.size).toBe(5);
    const after = prune(all, ['a', 'c']);
    expect(sel(after)).toEqual(['a', 'c']);
  });
});
