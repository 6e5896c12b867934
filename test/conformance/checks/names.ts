import { expect } from 'vitest';
import { joinPath } from '../../../shared/paths';
import type { SuiteContext } from '../context';
import { put, readAll } from '../helpers';

/**
 * Names that break naive code: URL encoding, shell quoting, glob and query characters, unicode, names that
 * look like options or are hidden. Each must round-trip exactly: written, listed, stat'ed, read, removed.
 */
export const HOSTILE_NAMES = [
  'with spaces.txt',
  "it's.txt",
  'say "hi".txt',
  '#hash.txt',
  '100% sure.txt',
  'a+b.txt',
  'why?.txt',
  'a&b.txt',
  'a=b.txt',
  'a;b.txt',
  'user@host.txt',
  '[brackets].txt',
  'Übersicht €.csv',
  '数据.csv',
  'hello? sausage',
  'Hello, 世界',
  '-rf.csv',
  '.hidden',
  'literal%20space.txt',
];

/** Folder names along one path, after rclone's fstests (each segment a different kind of trouble). */
const HOSTILE_FOLDERS = ['hello? sausage', 'êé', 'Hello, 世界', `" ' @ < > & ? + ≠`];

export function nameChecks({ c, fresh, check }: SuiteContext): void {
  for (const name of HOSTILE_NAMES) {
    check(`name: ${name}`, null, async () => {
      const dir = await fresh(`name`);
      const path = joinPath(dir, name);
      const content = `content of ${name}`;
      await put(c(), path, content);
      const entries = await c().list(dir);
      expect(entries.map((e) => e.name)).toEqual([name]);
      expect(entries[0].path).toBe(path);
      expect(await c().stat(path)).toMatchObject({ name, path, type: 'file', size: Buffer.byteLength(content) });
      expect((await readAll(c(), path)).toString()).toBe(content);
      await c().remove(path);
      expect(await c().list(dir)).toEqual([]);
    });
  }

  check('name: hostile folder path', null, async () => {
    const dir = await fresh('name folders');
    const folder = joinPath(dir, ...HOSTILE_FOLDERS);
    await c().mkdir(folder);
    await put(c(), joinPath(folder, 'z.txt'), 'z');
    let here = dir;
    for (const segment of HOSTILE_FOLDERS) {
      expect((await c().list(here)).map((e) => [e.name, e.type])).toEqual([[segment, 'dir']]);
      here = joinPath(here, segment);
    }
    expect((await readAll(c(), joinPath(folder, 'z.txt'))).toString()).toBe('z');
    await c().rmdir(joinPath(dir, HOSTILE_FOLDERS[0]), { recursive: true });
    expect(await c().list(dir)).toEqual([]);
  });
}
