import { expect } from 'vitest';
import { joinPath } from '../../../shared/paths';
import { needs, type SuiteContext } from '../context';
import { expectCode, put } from '../helpers';

export function folderChecks({ c, caps, fresh, check }: SuiteContext): void {
  check('mkdir: nested', null, async () => {
    const dir = await fresh('mkdir nested');
    await c().mkdir(joinPath(dir, 'a', 'b', 'c'));
    // Object stores show a folder once it has a marker or content; put a file at the bottom for both.
    await put(c(), joinPath(dir, 'a', 'b', 'c', 'x.txt'), 'x');
    for (const p of ['a', 'a/b', 'a/b/c']) expect((await c().stat(joinPath(dir, p))).type).toBe('dir');
  });

  check('mkdir: existing folder is fine and keeps its content', null, async () => {
    const dir = await fresh('mkdir idempotent');
    await c().mkdir(joinPath(dir, 'a'));
    await put(c(), joinPath(dir, 'a', 'keep.txt'), 'keep');
    await c().mkdir(joinPath(dir, 'a'));
    await c().mkdir(joinPath(dir, 'a'));
    expect((await c().list(joinPath(dir, 'a'))).map((e) => e.name)).toEqual(['keep.txt']);
  });

  check('mkdir: over a file is ALREADY_EXISTS', null, async () => {
    const dir = await fresh('mkdir over file');
    await put(c(), joinPath(dir, 'f'), 'a file');
    await expectCode(() => c().mkdir(joinPath(dir, 'f')), 'ALREADY_EXISTS');
    expect((await c().stat(joinPath(dir, 'f'))).type).toBe('file');
  });

  check('rmdir: non-empty folder without recursive is NOT_EMPTY', null, async () => {
    const dir = await fresh('rmdir not empty');
    await c().mkdir(joinPath(dir, 'full'));
    await put(c(), joinPath(dir, 'full', 'x.txt'), 'x');
    await expectCode(() => c().rmdir(joinPath(dir, 'full')), 'NOT_EMPTY');
    expect((await c().stat(joinPath(dir, 'full', 'x.txt'))).size).toBe(1);
  });

  check('rmdir: recursive removes the tree', null, async () => {
    const dir = await fresh('rmdir recursive');
    await c().mkdir(joinPath(dir, 'tree', 'a', 'b'));
    await put(c(), joinPath(dir, 'tree', 'top.txt'), 't');
    await put(c(), joinPath(dir, 'tree', 'a', 'mid.txt'), 'm');
    await put(c(), joinPath(dir, 'tree', 'a', 'b', 'low.txt'), 'l');
    await c().mkdir(joinPath(dir, 'tree', 'a', 'empty'));
    await c().rmdir(joinPath(dir, 'tree'), { recursive: true });
    await expectCode(() => c().stat(joinPath(dir, 'tree')), 'NOT_FOUND');
    expect(await c().list(dir)).toEqual([]);
  });

  check('rmdir: empty folder', null, async () => {
    const dir = await fresh('rmdir empty');
    await c().mkdir(joinPath(dir, 'hollow'));
    await c().rmdir(joinPath(dir, 'hollow'));
    await expectCode(() => c().stat(joinPath(dir, 'hollow')), 'NOT_FOUND');
  });

  check('rmdir: missing folder is NOT_FOUND', null, async () => {
    const dir = await fresh('rmdir missing');
    await expectCode(() => c().rmdir(joinPath(dir, 'nope')), 'NOT_FOUND');
  });

  check('remove: file is gone afterwards', null, async () => {
    const dir = await fresh('remove');
    await put(c(), joinPath(dir, 'gone.txt'), 'bye');
    await put(c(), joinPath(dir, 'stays.txt'), 'hi');
    await c().remove(joinPath(dir, 'gone.txt'));
    await expectCode(() => c().stat(joinPath(dir, 'gone.txt')), 'NOT_FOUND');
    expect((await c().list(dir)).map((e) => e.name)).toEqual(['stays.txt']);
  });

  check('remove: missing path is NOT_FOUND', null, async () => {
    const dir = await fresh('remove missing');
    await expectCode(() => c().remove(joinPath(dir, 'nope.txt')), 'NOT_FOUND');
  });

  check('remove: a folder is IS_A_DIRECTORY', needs('emptyDirs', caps.emptyDirs), async () => {
    const dir = await fresh('remove folder');
    await c().mkdir(joinPath(dir, 'sub'));
    await expectCode(() => c().remove(joinPath(dir, 'sub')), 'IS_A_DIRECTORY');
    expect((await c().stat(joinPath(dir, 'sub'))).type).toBe('dir');
  });
}
