import { expect } from 'vitest';
import { HASH_TYPES } from '../../../shared/connectors';
import { joinPath } from '../../../shared/paths';
import type { WriteResult } from '../../../electron/core/connectors/types';
import { needs, type SuiteContext } from '../context';
import { expectCode, hashOf, put, randomData, readAll, sha256, streamOf } from '../helpers';

/** Larger than every connector's multipart/chunk threshold (S3's minimum part is 5 MiB, others use 8). */
const LARGE = 12 * 1024 * 1024;

/** Hashes a connector reports for a write must be those of the bytes written. */
function expectReportedHashes(result: WriteResult, data: Buffer): void {
  for (const [type, value] of Object.entries(result.hashes ?? {})) {
    if ((HASH_TYPES as readonly string[]).includes(type) && value !== undefined) {
      expect(value.toLowerCase(), `write result's ${type}`).toBe(hashOf(type as (typeof HASH_TYPES)[number], data));
    }
  }
}

export function readWriteChecks({ c, caps, fresh, check }: SuiteContext): void {
  check('stat: file', null, async () => {
    const dir = await fresh('stat file');
    await put(c(), joinPath(dir, 'a.txt'), 'twelve bytes');
    expect(await c().stat(joinPath(dir, 'a.txt'))).toMatchObject({ name: 'a.txt', path: joinPath(dir, 'a.txt'), type: 'file', size: 12 });
  });

  check('stat: folder', null, async () => {
    const dir = await fresh('stat folder');
    await c().mkdir(joinPath(dir, 'sub'));
    await put(c(), joinPath(dir, 'sub', 'x.txt'), 'x');
    expect(await c().stat(joinPath(dir, 'sub'))).toMatchObject({ name: 'sub', path: joinPath(dir, 'sub'), type: 'dir' });
  });

  check('stat: missing path is NOT_FOUND', null, async () => {
    const dir = await fresh('stat missing');
    await expectCode(() => c().stat(joinPath(dir, 'nope.txt')), 'NOT_FOUND');
  });

  check('read: whole file', null, async () => {
    const dir = await fresh('read whole');
    const data = randomData(100_000);
    await put(c(), joinPath(dir, 'r.bin'), data);
    expect((await readAll(c(), joinPath(dir, 'r.bin'))).equals(data)).toBe(true);
  });

  check('read: missing path is NOT_FOUND', null, async () => {
    const dir = await fresh('read missing');
    await expectCode(() => readAll(c(), joinPath(dir, 'nope.txt')), 'NOT_FOUND');
  });

  check('read: a folder is IS_A_DIRECTORY', needs('emptyDirs', caps.emptyDirs), async () => {
    const dir = await fresh('read folder');
    await c().mkdir(joinPath(dir, 'sub'));
    await expectCode(() => readAll(c(), joinPath(dir, 'sub')), 'IS_A_DIRECTORY');
  });

  const ranged = needs('rangedRead', caps.rangedRead);
  const rangeData = randomData(1000);
  async function rangeFile(label: string): Promise<string> {
    const path = joinPath(await fresh(label), 'range.bin');
    await put(c(), path, rangeData);
    return path;
  }

  check('read: range from a start offset', ranged, async () => {
    const path = await rangeFile('range start');
    expect((await readAll(c(), path, { start: 100 })).equals(rangeData.subarray(100))).toBe(true);
  });

  check('read: range with start and end', ranged, async () => {
    const path = await rangeFile('range start end');
    expect((await readAll(c(), path, { start: 100, end: 200 })).equals(rangeData.subarray(100, 200))).toBe(true);
    expect((await readAll(c(), path, { start: 0, end: 1 })).equals(rangeData.subarray(0, 1))).toBe(true);
  });

  check('read: range ending at end of file', ranged, async () => {
    const path = await rangeFile('range eof');
    expect((await readAll(c(), path, { start: 900, end: 1000 })).equals(rangeData.subarray(900))).toBe(true);
    expect((await readAll(c(), path, { start: 999 })).equals(rangeData.subarray(999))).toBe(true);
  });

  check('read: several ranges at once on one connector, each its own bytes', needs('sharedReads', caps.sharedReads && caps.rangedRead), async () => {
    const path = await rangeFile('range shared');
    const ranges = Array.from({ length: 8 }, (_, k) => ({ start: k * 110, end: k * 110 + 90 + k }));
    const got = await Promise.all(ranges.map((r) => readAll(c(), path, r)));
    got.forEach((bytes, k) => expect(bytes.equals(rangeData.subarray(ranges[k].start, ranges[k].end)), `range ${k}`).toBe(true));
  });

  check('write: empty file', null, async () => {
    const path = joinPath(await fresh('write empty'), 'empty.txt');
    const result = await put(c(), path, '');
    expect(result.size).toBe(0);
    expect(await c().stat(path)).toMatchObject({ type: 'file', size: 0 });
    expect((await readAll(c(), path)).length).toBe(0);
  });

  check('write: small file', null, async () => {
    const path = joinPath(await fresh('write small'), 'small.txt');
    const data = Buffer.from('Ferry moves files.\n');
    const result = await put(c(), path, data);
    expect(result.size).toBe(data.length);
    expectReportedHashes(result, data);
    expect((await readAll(c(), path)).equals(data)).toBe(true);
  });

  check(
    'write: 12 MiB file (sha256 verified)',
    null,
    async () => {
      const path = joinPath(await fresh('write large'), 'large.bin');
      const data = randomData(LARGE);
      const result = await put(c(), path, data);
      expect(result.size).toBe(LARGE);
      expectReportedHashes(result, data);
      expect((await c().stat(path)).size).toBe(LARGE);
      expect(sha256(await readAll(c(), path))).toBe(sha256(data));
    },
    180_000,
  );

  check('write: without a declared size', null, async () => {
    const path = joinPath(await fresh('write unsized'), 'unsized.bin');
    const data = randomData(300_000);
    const result = await c().write(path, streamOf(data));
    expect(result.size).toBe(data.length);
    expect((await readAll(c(), path)).equals(data)).toBe(true);
  });

  check('write: overwrite with smaller content leaves no trailing bytes', null, async () => {
    const path = joinPath(await fresh('overwrite'), 'o.txt');
    await put(c(), path, randomData(10_000));
    const result = await put(c(), path, 'short');
    expect(result.size).toBe(5);
    expect((await c().stat(path)).size).toBe(5);
    expect((await readAll(c(), path)).toString()).toBe('short');
  });

  check('write: missing parent folder is NOT_FOUND', needs('emptyDirs', caps.emptyDirs), async () => {
    const dir = await fresh('write no parent');
    await expectCode(() => put(c(), joinPath(dir, 'missing', 'x.txt'), 'x'), 'NOT_FOUND');
  });

  check('write: resume at an offset', needs('resumableWrite', caps.resumableWrite), async () => {
    const path = joinPath(await fresh('resume'), 'partial.bin');
    const data = randomData(300_000);
    // A partial file whose tail after the resume point is wrong (an interrupted write's last block).
    await put(c(), path, Buffer.concat([data.subarray(0, 100_000), Buffer.alloc(5_000, 0xee)]));
    await c().write(path, streamOf(data.subarray(100_000)), { offset: 100_000, size: data.length - 100_000 });
    expect((await c().stat(path)).size).toBe(data.length);
    expect(sha256(await readAll(c(), path))).toBe(sha256(data));
  });
}
