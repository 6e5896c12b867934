import { appendFileSync, chownSync, mkdirSync, readdirSync, readFileSync, statSync, symlinkSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { afterEach, describe, expect, it } from 'vitest';
import { ftpManifest } from '../../electron/core/connectors/ftp';
import { LocalConnector, localManifest } from '../../electron/core/connectors/local';
import type { ConnectorManifest, ReadOptions } from '../../electron/core/connectors/types';
import type { FtpServerInfo } from '../servers/ftp';
import { server } from '../support/servers';
import { bytes, changingOnFirstRead, cleanup, makeHarness, readTree, tmp, writeTree, type Harness } from './support';

let h: Harness | undefined;
const dirs: string[] = [];
const scratch = (label: string) => {
  const d = tmp(label);
  dirs.push(d);
  return d;
};
afterEach(async () => {
  await h?.close();
  h = undefined;
  cleanup(...dirs.splice(0));
});

/**
 * The real local connector as a source, with a hook that changes the file on disk once its first bytes have
 * been read (as a program still saving it would): `change(attempt)` runs on each read of the file.
 */
function changingSource(change: (attempt: number, path: string) => void): ConnectorManifest {
  let attempt = 0;
  class Changing extends LocalConnector {
    override async read(path: string, opts?: ReadOptions): Promise<Readable> {
      const stream = await super.read(path, opts);
      const n = ++attempt;
      stream.once('data', () => change(n, path));
      return stream;
    }
  }
  return { ...localManifest, type: 'local', connect: async () => new Changing(localManifest.capabilities) };
}

const copy = (src: string, dst: string) =>
  h!.engine.create({ spec: { kind: 'copy', source: { endpoint: 'other', paths: [join(src, 'f.bin')] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite' } });

describe('source re-check after the copy', () => {
  it('a source that grows during its copy fails that try ("source changed during copy"); the next try copies it whole', async () => {
    const [src, dst] = [scratch('ferry-src-'), scratch('ferry-dst-')];
    const original = bytes(2_000_000);
    const tail = bytes(300_000);
    writeTree(src, { 'f.bin': original });
    h = makeHarness({ extra: { other: changingSource((n, p) => n === 1 && appendFileSync(p, tail)) } });
    const job = await copy(src, dst);
    const done = await h.engine.wait(job.id);
    expect(done.state).toBe('done');
    const f = h.engine.get(job.id).files[0];
    expect(f).toMatchObject({ state: 'done', attempts: 1, size: 2_300_000, verified: 'size' });
    expect(readFileSync(join(dst, 'f.bin')).equals(Buffer.concat([original, tail]))).toBe(true);
  });

  it('a source truncated during every try fails with "source changed during copy", and nothing is left at the destination', async () => {
    const [src, dst] = [scratch('ferry-src-'), scratch('ferry-dst-')];
    writeTree(src, { 'f.bin': bytes(2_000_000) });
    h = makeHarness({ extra: { other: changingSource((n, p) => truncateSync(p, 1_000_000 - n * 1000)) } });
    const job = await copy(src, dst);
    const failed = await h.engine.wait(job.id);
    expect(failed.state).toBe('failed');
    const f = h.engine.get(job.id).files[0];
    expect(f.state).toBe('failed');
    expect(f.attempts).toBe(2);
    expect(f.error?.message).toMatch(/^Source changed during copy: .*f\.bin \(it had 999000 bytes when listed, \d+ were read, it has 998000 now\); the copy was removed$/);
    expect(readdirSync(dst)).toEqual([]);
  });

  it('a source rewritten in place with the same size (a new modification time) fails too', async () => {
    const [src, dst] = [scratch('ferry-src-'), scratch('ferry-dst-')];
    writeTree(src, { 'f.bin': bytes(1_000_000) });
    h = makeHarness({
      extra: {
        other: changingSource((n, p) => {
          const later = new Date(Date.now() + n * 60_000);
          writeFileSync(p, bytes(1_000_000));
          utimesSync(p, later, later);
        }),
      },
    });
    const job = await copy(src, dst);
    expect((await h.engine.wait(job.id)).state).toBe('failed');
    expect(h.engine.get(job.id).files[0].error?.message).toContain(`its modification time went from`);
    expect(readdirSync(dst)).toEqual([]);
  });
});

describe('the source re-check of FTP downloads (SIZE and MDTM asked before the transfer\'s last reply)', () => {
  const download = async (name: string, content: Buffer, change: (local: string) => void) => {
    const info = server<FtpServerInfo>('ftp');
    if (!info) throw new Error('the ftp test server (vsftpd) did not start');
    const remote = join(info.root, name);
    writeTree(info.root, { [name]: content });
    const owner = statSync(info.root);
    chownSync(remote, owner.uid, owner.gid);
    dirs.push(remote);
    const manifest = changingOnFirstRead(ftpManifest, (p) => change(join(info.root, p)));
    h = makeHarness({ extra: { ftp: { manifest, options: { host: info.host, port: info.port, user: info.user }, secrets: { password: info.password } } } });
    const dst = scratch('ferry-dst-');
    const job = await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'ftp', paths: [`/${name}`] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite' } });
    const done = await h.engine.wait(job.id);
    // Each try ends on the same pooled control connection: the facts' replies were all taken, or the
    // next command would have read one of them as its own.
    const lease = await h.endpoints.acquire('ftp');
    try {
      for (let i = 0; i < 3; i++) {
        expect(await lease.connector.stat(`/${name}`)).toMatchObject({ type: 'file', size: statSync(remote).size });
        expect((await lease.connector.list('/')).map((e) => e.name)).toContain(name);
      }
    } finally {
      lease.release(false);
    }
    return { done, file: h.engine.get(job.id).files[0], local: join(dst, name) };
  };

  it('a source that grows while it downloads fails that try; the next try copies it whole', async () => {
    const original = bytes(4_000_000);
    const tail = bytes(300_000);
    const { done, file, local } = await download(`grows-${process.pid}.bin`, original, (p) => appendFileSync(p, tail));
    expect(done.state).toBe('done');
    expect(file).toMatchObject({ state: 'done', attempts: 1, size: 4_300_000 });
    expect(readFileSync(local).equals(Buffer.concat([original, tail]))).toBe(true);
  });

  it('an unchanged source downloads in one try, its re-check passed', async () => {
    const content = bytes(1_000_000);
    const { done, file, local } = await download(`same-${process.pid}.bin`, content, () => {});
    expect(done.state).toBe('done');
    expect(file).toMatchObject({ state: 'done', attempts: 0, size: 1_000_000 });
    expect(readFileSync(local).equals(content)).toBe(true);
  });
});

describe('what a source folder holds: links and names', () => {
  /** A folder with two files, a link to a file, to a subfolder, to a folder outside, and a loop (`loop -> .`). */
  function linkedTree() {
    const [src, outside, dst] = [scratch('ferry-src-'), scratch('ferry-outside-'), scratch('ferry-dst-')];
    writeTree(src, { 'a.txt': 'A', 'sub/b.txt': 'B' });
    writeTree(outside, { 'secret.txt': 'S' });
    symlinkSync('a.txt', join(src, 'link-file'));
    symlinkSync('sub', join(src, 'link-dir'));
    symlinkSync(outside, join(src, 'outside'));
    symlinkSync('.', join(src, 'loop'));
    return { src, dst };
  }
  const sync = (src: string, dst: string, followSymlinks?: boolean) =>
    h!.engine.create({ spec: { kind: 'sync', source: { endpoint: 'local', paths: [src] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', followSymlinks } });

  it('sync does not follow symbolic links by default: each is listed as skipped, and nothing outside the folder is read', async () => {
    const { src, dst } = linkedTree();
    h = makeHarness();
    const job = await sync(src, dst);
    expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 2, skippedFiles: 4, failedFiles: 0 });
    expect(readTree(dst)).toEqual({ 'a.txt': 'A', 'sub/b.txt': 'B' });
    const skipped = h.engine.get(job.id).files.filter((f) => f.state === 'skipped');
    expect(skipped.map((f) => [f.relPath, f.reason])).toEqual(
      ['link-dir', 'link-file', 'loop', 'outside'].map((n) => [n, 'symbolic link, not followed (--follow-symlinks copies what it points to)']),
    );
  });

  it('--follow-symlinks copies what links point to, and a link back to a folder it is inside of is skipped as a loop, not walked', async () => {
    const { src, dst } = linkedTree();
    h = makeHarness();
    const job = await sync(src, dst, true);
    expect(await h.engine.wait(job.id)).toMatchObject({ state: 'done', doneFiles: 5, skippedFiles: 1 });
    expect(readTree(dst)).toEqual({ 'a.txt': 'A', 'sub/b.txt': 'B', 'link-file': 'A', 'link-dir/b.txt': 'B', 'outside/secret.txt': 'S' });
    const loop = h.engine.get(job.id).files.find((f) => f.relPath === 'loop');
    expect(loop).toMatchObject({ state: 'skipped', reason: `symbolic link loop: it points to ${src}, a folder it is inside of` });
  });

  it('a name that is not valid UTF-8 is reported as a failed file naming its bytes, never left out silently', async () => {
    const [src, dst] = [scratch('ferry-src-'), scratch('ferry-dst-')];
    writeTree(src, Object.fromEntries(Array.from({ length: 8 }, (_, i) => [`f${i}.txt`, `file ${i}`])));
    mkdirSync(join(src, 'in'));
    writeFileSync(Buffer.concat([Buffer.from(join(src, 'in') + '/caf'), Buffer.from([0xe9]), Buffer.from('.txt')]), 'latin-1 name');
    h = makeHarness();
    const job = await h.engine.create({ spec: { kind: 'copy', source: { endpoint: 'local', paths: [src] }, destination: { endpoint: 'local', path: dst }, conflict: 'overwrite', recursive: true } });
    const end = await h.engine.wait(job.id);
    expect(end).toMatchObject({ state: 'failed', totalFiles: 9, doneFiles: 8, failedFiles: 1 });
    const bad = h.engine.get(job.id).files.find((f) => f.state === 'failed');
    expect(bad?.error).toMatchObject({ code: 'INVALID_NAME', message: `Cannot copy ${join(src, 'in')}/caf\\xe9.txt: its name is not valid UTF-8 (rename it to copy it)` });
    expect(end.error?.message).toContain('caf\\xe9.txt');
  });
});
