import { expect } from 'vitest';
import { joinPath } from '../../../shared/paths';
import { needs, type SuiteContext } from '../context';
import { eachWith, expectCode, put } from '../helpers';

/** Connections filling a folder at once; remote servers cap connections, so keep it modest. */
const PARALLEL = 8;

export function listingChecks({ c, caps, target, fresh, check }: SuiteContext): void {
  check('list: empty folder', null, async () => {
    const dir = await fresh('list empty');
    expect(await c().list(dir)).toEqual([]);
  });

  const many = target.pageSize ? target.pageSize + 100 : 1100;
  check(
    `list: more entries than one page`,
    null,
    async () => {
      const dir = await fresh('list many');
      const names = Array.from({ length: many }, (_, i) => `f-${String(i).padStart(5, '0')}.txt`);
      // Created over several connections, as the engine would, within what the server allows.
      const extra = await Promise.all(Array.from({ length: Math.min(PARALLEL, caps.maxConnections) - 1 }, () => target.connect()));
      try {
        await eachWith([c(), ...extra], names, async (conn, name) => {
          await put(conn, joinPath(dir, name), name);
        });
      } finally {
        await Promise.all(extra.map((conn) => conn.close()));
      }
      const entries = await c().list(dir);
      expect(entries.length).toBe(many);
      expect(entries.map((e) => e.name).sort()).toEqual(names);
      const sample = entries.find((e) => e.name === names[many - 1]);
      expect(sample).toMatchObject({ type: 'file', size: names[many - 1].length, path: joinPath(dir, names[many - 1]) });
    },
    180_000,
  );

  check('list: deep tree (6 levels)', null, async () => {
    const dir = await fresh('list deep');
    const levels = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6'];
    const deepest = joinPath(dir, ...levels);
    await c().mkdir(deepest);
    await put(c(), joinPath(deepest, 'leaf.txt'), 'leaf');
    let here = dir;
    for (const level of levels) {
      const entries = await c().list(here);
      expect(entries.map((e) => [e.name, e.type])).toEqual([[level, 'dir']]);
      expect(entries[0].path).toBe(joinPath(here, level));
      here = joinPath(here, level);
    }
    const leaf = await c().list(deepest);
    expect(leaf.map((e) => [e.name, e.type, e.size])).toEqual([['leaf.txt', 'file', 4]]);
  });

  check('list: entries have name, path, type and size', null, async () => {
    const dir = await fresh('list entries');
    await put(c(), joinPath(dir, 'five.txt'), 'hello');
    await put(c(), joinPath(dir, 'empty.txt'), '');
    await c().mkdir(joinPath(dir, 'sub'));
    await put(c(), joinPath(dir, 'sub', 'inner.txt'), 'x');
    const entries = (await c().list(dir)).sort((a, b) => a.name.localeCompare(b.name));
    expect(entries.map(({ name, path, type }) => ({ name, path, type }))).toEqual([
      { name: 'empty.txt', path: joinPath(dir, 'empty.txt'), type: 'file' },
      { name: 'five.txt', path: joinPath(dir, 'five.txt'), type: 'file' },
      { name: 'sub', path: joinPath(dir, 'sub'), type: 'dir' },
    ]);
    expect(entries[0].size).toBe(0);
    expect(entries[1].size).toBe(5);
    for (const e of entries) {
      if (e.modified !== null) expect(Number.isNaN(Date.parse(e.modified)), `modified of ${e.name}: ${e.modified}`).toBe(false);
    }
  });

  check('list: missing folder is NOT_FOUND', null, async () => {
    const dir = await fresh('list missing');
    await expectCode(() => c().list(joinPath(dir, 'nope')), 'NOT_FOUND');
  });

  check('list: a file is NOT_A_DIRECTORY', null, async () => {
    const dir = await fresh('list file');
    await put(c(), joinPath(dir, 'file.txt'), 'x');
    await expectCode(() => c().list(joinPath(dir, 'file.txt')), 'NOT_A_DIRECTORY');
  });

  check('list: empty subfolder is listed', needs('emptyDirs', caps.emptyDirs), async () => {
    const dir = await fresh('list empty sub');
    await c().mkdir(joinPath(dir, 'hollow'));
    const entries = await c().list(dir);
    expect(entries.map((e) => [e.name, e.type])).toEqual([['hollow', 'dir']]);
    expect(await c().list(joinPath(dir, 'hollow'))).toEqual([]);
  });
}
