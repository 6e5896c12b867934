import { expect } from 'vitest';
import { joinPath } from '../../../shared/paths';
import { needs, type SuiteContext } from '../context';
import { expectCode, put, randomData, readAll } from '../helpers';

export function moveChecks({ c, caps, fresh, check }: SuiteContext): void {
  const rename = needs('rename', caps.rename);
  const copy = needs('serverSideCopy', caps.serverSideCopy);

  check('rename: file', rename, async () => {
    const dir = await fresh('rename file');
    await put(c(), joinPath(dir, 'before.txt'), 'content');
    await c().rename!(joinPath(dir, 'before.txt'), joinPath(dir, 'after.txt'));
    await expectCode(() => c().stat(joinPath(dir, 'before.txt')), 'NOT_FOUND');
    expect((await readAll(c(), joinPath(dir, 'after.txt'))).toString()).toBe('content');
  });

  check('rename: file into another folder', rename, async () => {
    const dir = await fresh('rename move');
    await c().mkdir(joinPath(dir, 'there'));
    await put(c(), joinPath(dir, 'm.txt'), 'moved');
    await c().rename!(joinPath(dir, 'm.txt'), joinPath(dir, 'there', 'm.txt'));
    expect((await c().list(dir)).map((e) => e.name)).toEqual(['there']);
    expect((await readAll(c(), joinPath(dir, 'there', 'm.txt'))).toString()).toBe('moved');
  });

  check('rename: folder with content', rename, async () => {
    const dir = await fresh('rename folder');
    await c().mkdir(joinPath(dir, 'old', 'inner'));
    await put(c(), joinPath(dir, 'old', 'inner', 'x.txt'), 'x');
    await c().rename!(joinPath(dir, 'old'), joinPath(dir, 'new'));
    await expectCode(() => c().stat(joinPath(dir, 'old')), 'NOT_FOUND');
    expect((await readAll(c(), joinPath(dir, 'new', 'inner', 'x.txt'))).toString()).toBe('x');
  });

  check('rename: replaces an existing file', [rename, needs('atomicRename', caps.atomicRename)], async () => {
    const dir = await fresh('rename replace');
    await put(c(), joinPath(dir, 'new.tmp'), 'new');
    await put(c(), joinPath(dir, 'target.txt'), 'old and longer');
    await c().rename!(joinPath(dir, 'new.tmp'), joinPath(dir, 'target.txt'));
    expect((await readAll(c(), joinPath(dir, 'target.txt'))).toString()).toBe('new');
    expect((await c().list(dir)).map((e) => e.name)).toEqual(['target.txt']);
  });

  check('rename: missing source is NOT_FOUND', rename, async () => {
    const dir = await fresh('rename missing');
    await expectCode(() => c().rename!(joinPath(dir, 'nope'), joinPath(dir, 'x')), 'NOT_FOUND');
  });

  check('copy: file on the server', copy, async () => {
    const dir = await fresh('copy');
    const data = randomData(200_000);
    await c().mkdir(joinPath(dir, 'to'));
    await put(c(), joinPath(dir, 'src.bin'), data);
    await c().copy!(joinPath(dir, 'src.bin'), joinPath(dir, 'to', 'dst.bin'));
    expect((await readAll(c(), joinPath(dir, 'to', 'dst.bin'))).equals(data)).toBe(true);
    expect((await readAll(c(), joinPath(dir, 'src.bin'))).equals(data)).toBe(true);
  });

  check('copy: missing source is NOT_FOUND', copy, async () => {
    const dir = await fresh('copy missing');
    await expectCode(() => c().copy!(joinPath(dir, 'nope'), joinPath(dir, 'x')), 'NOT_FOUND');
  });
}
