import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeConformance } from '../conformance/suite';
import { collect, expectCode, put, streamOf } from '../conformance/helpers';
import { fromNativePath, localManifest, LocalConnector, toNativePath } from '../../electron/core/connectors/local';
import { handBack, lend } from '../../electron/core/connectors/lent-chunks';
import { wroteSlowly } from '../../electron/core/connectors/local/small-files';
import type { ConnectContext } from '../../electron/core/connectors/types';

const root = mkdtempSync(join(tmpdir(), 'ferry-local-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

// The local connector reads nothing from its context; a bare one is enough.
const ctx = {} as ConnectContext;
const connect = () => localManifest.connect(ctx) as Promise<LocalConnector>;

describeConformance('local', async () => ({
  connect,
  root,
  capabilities: localManifest.capabilities,
}));

describe('local connector', () => {
  let c: LocalConnector;
  let n = 0;
  beforeAll(async () => {
    c = await connect();
  });
  /** A new folder under `root` (removed with it). */
  const fresh = () => {
    const dir = join(root, `specific-${++n}`);
    mkdirSync(dir);
    return dir;
  };

  it('maps a name longer than the file system allows to INVALID_NAME', async () => {
    const d = fresh();
    const long = 'x'.repeat(300) + '.csv';
    await expectCode(() => put(c, join(d, long), 'x'), 'INVALID_NAME');
    await expectCode(() => c.mkdir(join(d, long)), 'INVALID_NAME');
  });

  it('refuses a path with a NUL byte as INVALID_NAME', async () => {
    const d = fresh();
    await expectCode(() => put(c, join(d, 'a\0b'), 'x'), 'INVALID_NAME');
  });

  // Root bypasses file modes, so a chmod-based check only means something for other users.
  const asRoot = process.getuid?.() === 0;
  it.skipIf(asRoot)(`maps an unreadable folder to PERMISSION_DENIED${asRoot ? ' [skipped: running as root, who bypasses file modes]' : ''}`, async () => {
    const d = fresh();
    mkdirSync(join(d, 'locked'), { mode: 0o000 });
    await expectCode(() => c.list(join(d, 'locked')), 'PERMISSION_DENIED');
  });

  // sysfs refuses new files even to root: a place where any user, root included, is denied.
  it.runIf(process.platform === 'linux' && existsSync('/sys/kernel'))('maps a write the system refuses (sysfs) to PERMISSION_DENIED', async () => {
    await expectCode(() => put(c, '/sys/kernel/ferry-denied.txt', 'x'), 'PERMISSION_DENIED');
    await expectCode(() => c.mkdir('/sys/ferry-denied'), 'PERMISSION_DENIED');
  });

  // An immutable file (chattr +i) cannot be changed or deleted by root either; needs ext2/3/4-like /tmp.
  const immutable = immutableFileSupported();
  it.skipIf(!immutable)(`maps an immutable file to PERMISSION_DENIED${immutable ? '' : ' [skipped: chattr +i not available here]'}`, async () => {
    const d = fresh();
    const file = join(d, 'locked.txt');
    writeFileSync(file, 'original');
    execFileSync('chattr', ['+i', file]);
    try {
      await expectCode(() => put(c, file, 'replaced'), 'PERMISSION_DENIED');
      await expectCode(() => c.remove(file), 'PERMISSION_DENIED');
      expect(readFileSync(file, 'utf8')).toBe('original');
    } finally {
      execFileSync('chattr', ['-i', file]);
    }
  });

  it('shows symlinks as what they point to, a dangling one as symlink', async () => {
    const d = fresh();
    mkdirSync(join(d, 'real-dir'));
    writeFileSync(join(d, 'real-dir', 'inside.txt'), 'in');
    writeFileSync(join(d, 'real.txt'), 'twelve bytes');
    symlinkSync(join(d, 'real.txt'), join(d, 'link-file'));
    symlinkSync(join(d, 'real-dir'), join(d, 'link-dir'));
    symlinkSync(join(d, 'nowhere'), join(d, 'dangling'));
    const types = Object.fromEntries((await c.list(d)).map((e) => [e.name, [e.type, e.size]]));
    expect(types).toEqual({
      'real-dir': ['dir', 0],
      'real.txt': ['file', 12],
      'link-file': ['file', 12],
      'link-dir': ['dir', 0],
      dangling: ['symlink', 0],
    });
    expect((await c.stat(join(d, 'dangling'))).type).toBe('symlink');
    expect((await c.list(join(d, 'link-dir'))).map((e) => e.name)).toEqual(['inside.txt']);
  });

  it('deleting a link removes the link, never what it points to', async () => {
    const d = fresh();
    mkdirSync(join(d, 'precious'));
    writeFileSync(join(d, 'precious', 'keep.txt'), 'keep');
    symlinkSync(join(d, 'precious'), join(d, 'shortcut'));
    symlinkSync(join(d, 'precious', 'keep.txt'), join(d, 'file-shortcut'));
    await c.rmdir(join(d, 'shortcut'), { recursive: true });
    await c.remove(join(d, 'file-shortcut'));
    expect(existsSync(join(d, 'shortcut'))).toBe(false);
    expect(existsSync(join(d, 'file-shortcut'))).toBe(false);
    expect(readFileSync(join(d, 'precious', 'keep.txt'), 'utf8')).toBe('keep');
  });

  it.each([
    ['a large file, written in place', 3 * 1024 * 1024 + 12345, false],
    ['a large file where in-place writes were slow (asynchronous writes)', 3 * 1024 * 1024 + 12345, true],
    ['a small file (the synchronous path)', 100_000, false],
  ])('hands a lent chunk back only once its bytes are in the file (an FTP download reuses that memory then): %s', async (_what, size, slow) => {
    const d = fresh();
    if (slow) wroteSlowly(d);
    const file = join(d, 'lent.bin');
    const data = randomBytes(size);
    const late: number[] = [];
    let back = 0;
    const chunks = [];
    for (let at = 0; at < data.length; at += 64 * 1024) {
      const chunk = Buffer.from(data.subarray(at, at + 64 * 1024));
      const pos = at;
      chunks.push(
        lend(chunk, () => {
          back++;
          const onDisk = Buffer.alloc(chunk.length);
          const fd = openSync(file, 'r');
          readSync(fd, onDisk, 0, chunk.length, pos);
          closeSync(fd);
          if (!onDisk.equals(chunk)) late.push(pos);
        }),
      );
    }
    // Object mode: each chunk reaches the writer as the object that was lent (a byte stream may join them).
    await c.write(file, Readable.from(chunks), { size });
    expect(late).toEqual([]);
    expect(back).toBe(chunks.length);
    expect(readFileSync(file).equals(data)).toBe(true);
  });

  it('reads a large file into lent buffers: handed back they are reused, held they keep their bytes', async () => {
    const d = fresh();
    const file = join(d, 'read.bin');
    const data = randomBytes(9 * 1024 * 1024 + 777);
    writeFileSync(file, data);
    // A consumer that hands each chunk back after copying it: the next reads reuse the memory.
    const copies: Buffer[] = [];
    const memory = new Set<ArrayBufferLike>();
    for await (const chunk of await c.read(file)) {
      memory.add((chunk as Buffer).buffer);
      copies.push(Buffer.from(chunk as Buffer));
      handBack(chunk as Buffer);
    }
    expect(Buffer.concat(copies).equals(data)).toBe(true);
    expect(copies.length).toBeGreaterThanOrEqual(9);
    expect(memory.size).toBeLessThan(4);
    // One that holds every chunk: none is reused under it, so they still hold the file when read at the end.
    const held: Buffer[] = [];
    for await (const chunk of await c.read(file, { start: 1000, end: data.length - 5 })) held.push(chunk as Buffer);
    expect(Buffer.concat(held).equals(data.subarray(1000, data.length - 5))).toBe(true);
  });

  it('refuses to resume past the end of the partial file (it would leave a hole)', async () => {
    const d = fresh();
    writeFileSync(join(d, 'p.bin'), 'abc');
    await expectCode(() => c.write(join(d, 'p.bin'), streamOf('zzz'), { offset: 10 }), 'INVALID_INPUT');
    expect(readFileSync(join(d, 'p.bin'), 'utf8')).toBe('abc');
    await expectCode(() => c.write(join(d, 'missing.bin'), streamOf('zzz'), { offset: 3 }), 'NOT_FOUND');
  });

  it('stops a write when its signal aborts, with CANCELLED', async () => {
    const d = fresh();
    const abort = new AbortController();
    async function* endless() {
      for (let i = 0; ; i++) {
        if (i === 3) abort.abort();
        yield Buffer.alloc(1024, 1);
      }
    }
    await expectCode(() => c.write(join(d, 'stopped.bin'), Readable.from(endless()), { signal: abort.signal }), 'CANCELLED');
  });

  it('stops a read when its signal aborts, with CANCELLED', async () => {
    const d = fresh();
    writeFileSync(join(d, 'big.bin'), Buffer.alloc(8 * 1024 * 1024));
    const abort = new AbortController();
    const stream = await c.read(join(d, 'big.bin'), { signal: abort.signal });
    abort.abort();
    await expectCode(() => collect(stream), 'CANCELLED');
  });

  // /dev/shm is a tmpfs: a different device from the temp folder on most Linux machines.
  const other = '/dev/shm';
  const otherDisk = existsSync(other) && statSync(other).dev !== statSync(root).dev;
  it.skipIf(!otherDisk)(`moves a file and a folder to another disk by copying (rename across devices)${otherDisk ? '' : ' [skipped: no second file system here]'}`, async () => {
    const d = fresh();
    const away = mkdtempSync(join(other, 'ferry-xdev-'));
    try {
      writeFileSync(join(d, 'travels.txt'), 'across');
      mkdirSync(join(d, 'folder', 'inner'), { recursive: true });
      writeFileSync(join(d, 'folder', 'inner', 'deep.txt'), 'deep');
      await c.rename(join(d, 'travels.txt'), join(away, 'travels.txt'));
      await c.rename(join(d, 'folder'), join(away, 'folder'));
      expect(existsSync(join(d, 'travels.txt'))).toBe(false);
      expect(existsSync(join(d, 'folder'))).toBe(false);
      expect(readFileSync(join(away, 'travels.txt'), 'utf8')).toBe('across');
      expect(readFileSync(join(away, 'folder', 'inner', 'deep.txt'), 'utf8')).toBe('deep');
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });

  it('opens in FERRY_LOCAL_HOME when set, else the user home', async () => {
    const saved = process.env.FERRY_LOCAL_HOME;
    try {
      process.env.FERRY_LOCAL_HOME = root;
      expect(await c.home()).toBe(root);
      delete process.env.FERRY_LOCAL_HOME;
      expect(await c.home()).toBe(homedir());
    } finally {
      if (saved === undefined) delete process.env.FERRY_LOCAL_HOME;
      else process.env.FERRY_LOCAL_HOME = saved;
    }
  });

  it('maps connector paths to Windows drive paths and back', () => {
    expect(toNativePath('/C/Users/ann/file.csv', 'win32')).toBe('C:\\Users\\ann\\file.csv');
    expect(toNativePath('/D', 'win32')).toBe('D:\\');
    expect(fromNativePath('C:\\Users\\ann', 'win32')).toBe('/C/Users/ann');
    expect(toNativePath('/a/../../etc', 'linux')).toBe('/etc');
  });
});

function immutableFileSupported(): boolean {
  const probe = join(root, '.immutable-probe');
  try {
    writeFileSync(probe, '');
    execFileSync('chattr', ['+i', probe], { stdio: 'ignore' });
    execFileSync('chattr', ['-i', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  } finally {
    rmSync(probe, { force: true });
  }
}
