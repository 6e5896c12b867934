import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { fromNativePath, localManifest, type LocalConnector } from '../../electron/core/connectors/local';
import { readSmall, SYNC_MAX, syncSafe, writesSmall } from '../../electron/core/connectors/local/small-files';
import type { ConnectContext } from '../../electron/core/connectors/types';

/**
 * The local connector's synchronous path for small files (small-files.ts): taken only for a declared size
 * up to SYNC_MAX on a local Linux file system, and writing what the asynchronous path writes. The
 * conformance suite (local.test.ts) runs both paths too: its small writes declare their size, its 12 MiB
 * and undeclared ones do not fit.
 */
const root = mkdtempSync(join(tmpdir(), 'ferry-small-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
const connect = () => localManifest.connect({} as ConnectContext) as Promise<LocalConnector>;
const local = process.platform === 'linux' && syncSafe(root);

describe('small local files', () => {
  it('goes the synchronous way only for a declared small size, not a resume, on a local file system', () => {
    const file = join(root, 'x.bin');
    expect(writesSmall(file, { size: 16 * 1024 })).toBe(local);
    expect(writesSmall(file, { size: SYNC_MAX + 1 })).toBe(false);
    expect(writesSmall(file, {})).toBe(false);
    expect(writesSmall(file, { size: 100, offset: 10 })).toBe(false);
    expect(writesSmall(join(root, 'no-such-folder', 'x.bin'), { size: 100 })).toBe(false);
    // /proc is not a file system for files: never synchronous.
    expect(syncSafe('/proc')).toBe(false);
  });

  it('writes every chunk, sets the modification time and reports the size the file holds', async () => {
    const c = await connect();
    const chunks = [Buffer.alloc(5000, 1), Buffer.alloc(7000, 2), Buffer.alloc(4384, 3)];
    const modified = new Date('2024-02-29T12:34:56.789Z');
    const path = fromNativePath(join(root, 'small.bin'));
    const r = await c.write(path, Readable.from(chunks), { size: 16 * 1024, modified });
    expect(r).toEqual({ size: 16 * 1024, storedSize: 16 * 1024 });
    expect(readFileSync(join(root, 'small.bin'))).toEqual(Buffer.concat(chunks));
    expect(statSync(join(root, 'small.bin')).mtime.toISOString()).toBe(modified.toISOString());
  });

  it('a source that fails mid-file keeps the bytes that arrived and names the file; a missing folder is NOT_FOUND', async () => {
    const c = await connect();
    async function* cut() {
      yield Buffer.alloc(3000, 7);
      throw new Error('connection reset');
    }
    const path = fromNativePath(join(root, 'cut.bin'));
    await expect(c.write(path, Readable.from(cut()), { size: 10_000 })).rejects.toThrow(/connection reset/);
    expect(readFileSync(join(root, 'cut.bin'))).toEqual(Buffer.alloc(3000, 7));
    await expect(c.write(fromNativePath(join(root, 'gone', 'x.bin')), Readable.from([Buffer.from('x')]), { size: 1 })).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('reads a small file (or a range of it) whole, streams a larger one, and refuses a folder', async () => {
    const c = await connect();
    const small = Buffer.from(Array.from({ length: 20_000 }, (_, i) => i % 251));
    const big = Buffer.alloc(300 * 1024, 9);
    writeFileSync(join(root, 'r-small.bin'), small);
    writeFileSync(join(root, 'r-big.bin'), big);
    mkdirSync(join(root, 'r-folder'));
    const all = async (path: string, opts = {}) => Buffer.concat(await (await c.read(fromNativePath(join(root, path)), opts)).toArray());
    expect(await all('r-small.bin')).toEqual(small);
    expect(await all('r-small.bin', { start: 100, end: 150 })).toEqual(small.subarray(100, 150));
    expect((await all('r-big.bin')).equals(big)).toBe(true); // toEqual compares 300 KiB byte by byte, slowly
    expect(readSmall(join(root, 'r-big.bin'), '/r-big.bin', 256 * 1024)).toBeNull();
    if (local) expect(readSmall(join(root, 'r-small.bin'), '/r-small.bin', 256 * 1024)).toEqual(small);
    await expect(c.read(fromNativePath(join(root, 'r-folder')))).rejects.toMatchObject({ code: 'IS_A_DIRECTORY' });
  });
});
