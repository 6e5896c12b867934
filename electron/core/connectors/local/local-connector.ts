import { isUtf8 } from 'node:buffer';
import { constants, lstatSync, realpathSync, statSync, type Stats } from 'node:fs';
import { copyFile, cp, lstat, mkdir, open, readdir, realpath, rename, rm, rmdir, stat, unlink, utimes, type FileHandle } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, sep as nativeSep } from 'node:path';
import { Readable } from 'node:stream';
import type { Capabilities, Entry } from '../../../../shared/connectors';
import { basename, normalizePath } from '../../../../shared/paths';
import { FerryError, fromNodeError } from '../../errors';
import { handBack, isLent, lend } from '../lent-chunks';
import type { Connector, ReadOptions, WriteOptions, WriteResult } from '../types';
import { fromNativePath, toNativePath } from './paths';
import { readSmall, renameSmall, SLOW_WRITE_MS, syncSafe, writeAllSync, writeSmall, writesInPlace, writesSmall, wroteSlowly } from './small-files';

/** stat() calls in flight while listing (measured: 64 beats 4, 16 and 256 on 100k entries). */
const LIST_PARALLEL = 64;
const READ_CHUNK = 1024 * 1024;
/** Up to this size a read is one read call into one buffer: a stream per small file costs twice the CPU. */
const WHOLE_READ_MAX = 256 * 1024;
const WRITE_BATCH = 1024 * 1024;

/**
 * Read buffers of READ_CHUNK bytes that came back from a consumer (lent, ../lent-chunks.ts: an FTP upload
 * hands each chunk back once its socket took it, an SFTP upload once ssh2 copied it into its requests), for
 * the next reads of any file. A fresh buffer per read cost a 1 GiB upload some 40 garbage collections (each
 * started by the buffers' external memory) and 60,000 page faults. A read with no spare and less to read
 * than READ_CHUNK gets a buffer its own size.
 */
const spareReadBuffers: Buffer[] = [];
const SPARE_READ_BUFFERS = 8;

function takeReadBuffer(want: number): Buffer {
  return spareReadBuffers.pop() ?? Buffer.allocUnsafeSlow(want < READ_CHUNK ? Math.max(want, 64 * 1024) : READ_CHUNK);
}

function keepReadBuffer(buf: Buffer): void {
  if (buf.length === READ_CHUNK && spareReadBuffers.length < SPARE_READ_BUFFERS) spareReadBuffers.push(buf);
}

/**
 * The file system of this computer, over node:fs/promises; small files and listings on a local Linux disk
 * with synchronous calls instead (small-files.ts). Connector paths map to native paths in
 * paths.ts only. Symlinks are shown as what they point to (a dangling one as 'symlink'); deleting one
 * removes the link, never its target.
 */
export class LocalConnector implements Connector {
  constructor(readonly capabilities: Capabilities) {}

  async home(): Promise<string> {
    return fromNativePath(process.env.FERRY_LOCAL_HOME || homedir());
  }

  async list(path: string, opts: { signal?: AbortSignal } = {}): Promise<Entry[]> {
    const dir = normalizePath(path);
    const native = toNativePath(dir);
    // Names as bytes: a name that is not valid UTF-8 would come back with U+FFFD in it, open nothing, and
    // the file would silently be missing from every copy. Such entries are listed with `invalidName`.
    const dirents = await fsCall(dir, () => readdir(native, { withFileTypes: true, encoding: 'buffer' }));
    const ops = statOps(native);
    const entries: Array<Entry | undefined> = new Array(dirents.length);
    // Names from readdir are single segments: join by hand (100k entries make per-entry work count).
    const prefix = dir === '/' ? '/' : dir + '/';
    const nativePrefix = native.endsWith(nativeSep) ? native : native + nativeSep;
    let nativePrefixBytes: Buffer | undefined;
    let next = 0;
    const worker = async () => {
      while (next < dirents.length) {
        if (opts.signal?.aborted) throw new FerryError('CANCELLED', `Listing cancelled: ${dir}`);
        const i = next++;
        const d = dirents[i];
        const raw = d.name as unknown as Buffer;
        const name = raw.toString('utf8');
        if (isUtf8(raw)) {
          entries[i] = await this.entryOf(prefix + name, nativePrefix + name, name, d.isSymbolicLink(), ops);
        } else {
          nativePrefixBytes ??= Buffer.from(nativePrefix);
          const e = await this.entryOf(prefix + name, Buffer.concat([nativePrefixBytes, raw]), name, d.isSymbolicLink(), ops);
          entries[i] = e && { ...e, invalidName: escapeBytes(raw) };
        }
      }
    };
    await Promise.all(Array.from({ length: Math.min(LIST_PARALLEL, dirents.length) }, worker));
    // An entry deleted between readdir and stat is simply no longer there.
    return entries.filter((e): e is Entry => e !== undefined);
  }

  async stat(path: string): Promise<Entry> {
    const p = normalizePath(path);
    // Synchronous on a local disk like a listing's stats: an upload's source re-check stats every file, and
    // 2,000 stats through the thread pool held the main thread 0.25 s.
    const native = toNativePath(p);
    const entry = await this.entryOf(p, native, undefined, undefined, statOps(dirname(native)));
    if (!entry) throw new FerryError('NOT_FOUND', `Not found: ${p}`, { detail: { path: p } });
    return entry;
  }

  async read(path: string, opts: ReadOptions = {}): Promise<Readable> {
    const p = normalizePath(path);
    if (opts.end === undefined || opts.end > (opts.start ?? 0)) {
      const small = readSmall(toNativePath(p), p, WHOLE_READ_MAX, opts.start, opts.end);
      if (small) return Readable.from(small.length ? [small] : [], { objectMode: false });
    }
    const handle = await fsCall(p, () => open(toNativePath(p), 'r'));
    let size = 0;
    try {
      const st = await handle.stat();
      size = st.size;
      if (st.isDirectory()) throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${p}`, { detail: { path: p } });
    } catch (e) {
      await handle.close();
      throw fromNodeError(e, { path: p });
    }
    const start = opts.start ?? 0;
    if (opts.end !== undefined && opts.end <= start) {
      await handle.close();
      return Readable.from([]);
    }
    const end = Math.min(opts.end ?? size, size);
    if (end - start <= WHOLE_READ_MAX) return readWhole(handle, p, start, end);
    // Without an end the file is read to its end as it is then (it may have grown since the stat).
    const last = opts.end ?? Infinity;
    const readAt = async (pos: number) => {
      const want = Math.min(READ_CHUNK, last - pos);
      const buf = takeReadBuffer(want);
      return { buf, n: (await handle.read(buf, 0, want, pos)).bytesRead };
    };
    // One read ahead: the next chunk comes off the disk while the consumer sends this one (an SFTP upload
    // encrypts on this thread). A generator re-throws read errors as FerryErrors; destroying the result
    // closes the file once the read ahead settled.
    async function* bytes() {
      let next: ReturnType<typeof readAt> | null = start < last ? readAt(start) : null;
      try {
        for (let pos = start; next; ) {
          const { buf, n } = await next;
          next = null;
          if (!n) return void keepReadBuffer(buf);
          pos += n;
          if (opts.signal?.aborted) throw new FerryError('CANCELLED', `Reading cancelled: ${p}`);
          if (pos < last) next = readAt(pos);
          yield lend(buf.subarray(0, n), () => keepReadBuffer(buf));
        }
      } catch (e) {
        throw fromNodeError(e, { path: p });
      } finally {
        await next?.then(({ buf }) => keepReadBuffer(buf), () => {});
        await handle.close();
      }
    }
    return Readable.from(bytes(), { objectMode: false });
  }

  async write(path: string, source: Readable, opts: WriteOptions = {}): Promise<WriteResult> {
    const p = normalizePath(path);
    const native = toNativePath(p);
    if (writesSmall(native, opts)) return writeSmall(native, p, source, opts);
    const resume = opts.offset !== undefined;
    let handle: FileHandle;
    try {
      // 'r+' keeps the bytes before the offset; 'w' creates or truncates.
      handle = await open(native, resume ? 'r+' : 'w');
    } catch (e) {
      source.destroy();
      throw fromNodeError(e, { path: p });
    }
    let position = opts.offset ?? 0;
    // Chunks are gathered into writes of about 1 MiB: a write per 64 KiB network chunk, awaited in turn,
    // held a 1 GiB download to under 200 MB/s. One write is on its way while the next gathers, in order, so
    // the file is always a prefix of the source (what a resume continues after). Lent chunks (an FTP or
    // SFTP download's, ../lent-chunks.ts) are written in place on a local disk while that is quick
    // (small-files.ts writesInPlace), and handed back at once.
    const folder = dirname(native);
    let inPlace = writesInPlace(folder);
    let batch: Buffer[] = [];
    let batchBytes = 0;
    let writing: Promise<void> = Promise.resolve();
    const flush = async () => {
      await writing;
      const [bufs, at] = [batch, position];
      position += batchBytes;
      batch = [];
      batchBytes = 0;
      if (inPlace && isLent(bufs[0])) {
        const began = performance.now();
        writeAllSync(handle.fd, bufs, at);
        if (performance.now() - began > SLOW_WRITE_MS) {
          inPlace = false;
          wroteSlowly(folder);
        }
        bufs.forEach(handBack);
        return;
      }
      // Written: a chunk whose memory its reader lent can be reused.
      writing = writeAll(handle, bufs, at).then(() => bufs.forEach(handBack));
      writing.catch(() => {});
    };
    try {
      if (resume && (await handle.stat()).size < position) {
        throw new FerryError('INVALID_INPUT', `Cannot resume ${p} at byte ${position}: the file is shorter`, { detail: { path: p } });
      }
      for await (const chunk of source) {
        if (opts.signal?.aborted) throw new FerryError('CANCELLED', `Writing cancelled: ${p}`);
        const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        batch.push(buf);
        batchBytes += buf.length;
        if (batchBytes >= WRITE_BATCH) await flush();
      }
      if (batchBytes) await flush();
      await writing;
      // A resumed file may have had a longer (bad) tail beyond what was written now.
      if (resume) await handle.truncate(position);
      if (opts.modified) await handle.utimes(new Date(), opts.modified);
    } catch (e) {
      // Bytes that arrived before a cancel or a dropped connection are good: kept on disk, a resume
      // continues after them instead of fetching them again.
      if (batchBytes) await flush().catch(() => {});
      await writing.catch(() => {});
      throw fromNodeError(e, { path: p });
    } finally {
      await handle.close();
    }
    return { size: position };
  }

  async mkdir(path: string): Promise<void> {
    const p = normalizePath(path);
    await fsCall(p, () => mkdir(toNativePath(p), { recursive: true }));
  }

  async remove(path: string): Promise<void> {
    const p = normalizePath(path);
    const native = toNativePath(p);
    const st = await fsCall(p, () => lstat(native));
    if (st.isDirectory()) throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${p}`, { detail: { path: p } });
    await fsCall(p, () => unlink(native));
  }

  async rmdir(path: string, opts: { recursive?: boolean } = {}): Promise<void> {
    const p = normalizePath(path);
    const native = toNativePath(p);
    const st = await fsCall(p, () => lstat(native));
    // A link to a folder is listed as a folder; deleting it removes the link, not what it points to.
    if (st.isSymbolicLink() && (await this.entryOf(p))?.type === 'dir') return fsCall(p, () => unlink(native));
    if (!st.isDirectory()) throw new FerryError('NOT_A_DIRECTORY', `Not a folder: ${p}`, { detail: { path: p } });
    if (opts.recursive) await fsCall(p, () => rm(native, { recursive: true }));
    else await fsCall(p, () => rmdir(native));
  }

  async rename(from: string, to: string): Promise<void> {
    const [f, t] = [normalizePath(from), normalizePath(to)];
    const [nf, nt] = [toNativePath(f), toNativePath(t)];
    if (renameSmall(nf, nt, `${f} -> ${t}`)) return;
    try {
      await rename(nf, nt);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw fromNodeError(e, { path: `${f} -> ${t}` });
      // Another disk: the user still sees one computer, so move by copying then deleting.
      await fsCall(`${f} -> ${t}`, async () => {
        await cp(nf, nt, { recursive: true, force: true, preserveTimestamps: true });
        await rm(nf, { recursive: true });
      });
    }
  }

  async copy(from: string, to: string): Promise<void> {
    const [f, t] = [normalizePath(from), normalizePath(to)];
    // FICLONE makes a copy-on-write clone where the file system can (btrfs, xfs, APFS), else a plain copy.
    await fsCall(`${f} -> ${t}`, () => copyFile(toNativePath(f), toNativePath(t), constants.COPYFILE_FICLONE));
  }

  async setModTime(path: string, modified: Date): Promise<void> {
    const p = normalizePath(path);
    const native = toNativePath(p);
    await fsCall(p, async () => utimes(native, (await stat(native)).atime, modified));
  }

  async close(): Promise<void> {}

  /**
   * The entry at `path`, following a symlink to its target; undefined when nothing is there. `isLink` (from a
   * listing; undefined for a path asked for by name) marks a link, with its resolved target.
   */
  private async entryOf(path: string, native: string | Buffer = toNativePath(path), name?: string, isLink?: boolean, ops: StatOps = ASYNC_STAT): Promise<Entry | undefined> {
    try {
      const entry = toEntry(path, await ops.stat(native), name);
      if (!isLink) return entry;
      const target = await ops.realpath(native).then(fromNativePath, () => undefined);
      return { ...entry, link: true, ...(target ? { linkTarget: target } : {}) };
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      // A dangling or looping symlink: show the link itself.
      if (isLink !== false && (code === 'ENOENT' || code === 'ELOOP')) {
        try {
          const link = await ops.lstat(native);
          if (link.isSymbolicLink()) return { ...toEntry(path, link, name), ...(isLink ? { link: true } : {}) };
        } catch (inner) {
          if ((inner as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
          throw fromNodeError(inner, { path });
        }
      }
      if (code === 'ENOENT') return undefined;
      throw fromNodeError(e, { path });
    }
  }
}

/** The stat calls of a listing: a folder of many files on a local disk is stat'ed synchronously (small-files.ts). */
interface StatOps {
  stat(p: string | Buffer): Promise<Stats>;
  lstat(p: string | Buffer): Promise<Stats>;
  realpath(p: string | Buffer): Promise<string>;
}
const ASYNC_STAT: StatOps = { stat: (p) => stat(p), lstat: (p) => lstat(p), realpath: (p) => realpath(p) };
const SYNC_STAT: StatOps = {
  stat: async (p) => statSync(p),
  lstat: async (p) => lstatSync(p),
  realpath: async (p) => realpathSync(p),
};
const statOps = (nativeDir: string): StatOps => (syncSafe(nativeDir) ? SYNC_STAT : ASYNC_STAT);

/** A name's bytes for people: printable ASCII as is, every other byte as \xNN (exact, and safe to print). */
function escapeBytes(raw: Buffer): string {
  let out = '';
  for (const b of raw) out += b >= 0x20 && b < 0x7f && b !== 0x5c ? String.fromCharCode(b) : `\\x${b.toString(16).padStart(2, '0')}`;
  return out;
}

function toEntry(path: string, st: Stats, name = basename(path)): Entry {
  const type = st.isFile() ? 'file' : st.isDirectory() ? 'dir' : st.isSymbolicLink() ? 'symlink' : 'other';
  return {
    name,
    path,
    type,
    size: type === 'file' ? st.size : 0,
    // mtimeMs carries sub-millisecond digits as a float; round so a time set to the millisecond reads back equal.
    modified: new Date(Math.round(st.mtimeMs)).toISOString(),
  };
}

/** Runs one fs call, turning Node's errors into FerryErrors naming `path`. */
async function fsCall<T>(path: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw fromNodeError(e, { path });
  }
}

/** Reads [start, end) of an open file with as few reads as it takes, closes it, and streams the one buffer. */
async function readWhole(handle: FileHandle, p: string, start: number, end: number): Promise<Readable> {
  const buf = Buffer.allocUnsafe(Math.max(0, end - start));
  let got = 0;
  try {
    while (got < buf.length) {
      const { bytesRead } = await handle.read(buf, got, buf.length - got, start + got);
      if (!bytesRead) break;
      got += bytesRead;
    }
  } catch (e) {
    throw fromNodeError(e, { path: p });
  } finally {
    await handle.close().catch(() => {});
  }
  return Readable.from(got ? [buf.subarray(0, got)] : [], { objectMode: false });
}

/** Writes `bufs` at `position` in order (one writev, no copy), however many calls the file system takes. */
async function writeAll(handle: FileHandle, bufs: Buffer[], position: number): Promise<void> {
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const { bytesWritten } = await handle.writev(bufs, position);
  if (bytesWritten === total) return;
  // A short write (rare: a signal, a full quota) continues with what is left.
  const rest = Buffer.concat(bufs).subarray(bytesWritten);
  for (let done = 0; done < rest.length; ) {
    const r = await handle.write(rest, done, rest.length - done, position + bytesWritten + done);
    if (!r.bytesWritten) throw new FerryError('INTERNAL', 'The file system accepted no bytes');
    done += r.bytesWritten;
  }
}
