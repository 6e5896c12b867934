import { closeSync, fstatSync, futimesSync, openSync, readSync, renameSync, statfsSync, writeSync, writevSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Readable } from 'node:stream';
import { handBack } from '../lent-chunks';
import { FerryError, fromNodeError } from '../../errors';
import type { WriteOptions, WriteResult } from '../types';

/**
 * Small files on a local disk, with synchronous calls. Each promise-based fs call is a round trip through
 * libuv's thread pool: a 16 KiB download took six of them (open, write, futimes, close, the verifying
 * stat, rename), and on two cores shared with the server their hand-offs were most of Ferry's CPU per
 * file. OpenSSH's sftp and rclone make the same calls directly. A synchronous call blocks the event loop
 * for as long as the file system takes, which on a local disk is microseconds; on a network mount it can be
 * minutes, so these paths are taken only on Linux file systems known to be local (statfs), and only for
 * small files. Everything else keeps the asynchronous path.
 */

/** Files up to this size (declared by the caller) are written synchronously. */
export const SYNC_MAX = 1024 * 1024;

/** statfs f_type of Linux file systems on local block devices or in memory (linux/magic.h). */
const LOCAL_FS_TYPES = new Set([
  0xef53, // ext2/3/4
  0x58465342, // xfs
  0x9123683e, // btrfs
  0x01021994, // tmpfs
  0x794c7630, // overlayfs (containers)
  0x2fc12fc1, // zfs
  0xf2f52010, // f2fs
  0xca451a4e, // bcachefs
]);

/** Folder → whether its file system is local, asked once per folder (a job writes many files into few folders). */
const localFolders = new Map<string, boolean>();
const MAX_REMEMBERED = 1024;

/** Whether synchronous calls are safe in this native folder (a local Linux file system). */
export function syncSafe(nativeDir: string): boolean {
  if (process.platform !== 'linux') return false;
  let local = localFolders.get(nativeDir);
  if (local === undefined) {
    try {
      local = LOCAL_FS_TYPES.has(statfsSync(nativeDir).type);
    } catch {
      local = false; // a missing folder: the asynchronous path reports it
    }
    if (localFolders.size >= MAX_REMEMBERED) localFolders.clear();
    localFolders.set(nativeDir, local);
  }
  return local;
}

/**
 * A large file's batches of lent chunks (an FTP or SFTP download's, local-connector.ts write) are written in
 * place too where syncSafe holds, as long as that is quick: a page-cache write of 1 MiB takes well under a
 * millisecond, and the thread pool's round trip per batch held a 1 GiB FTP download at 1.25-1.36 s against
 * 1.08-1.19 s written in place (interleaved, 6 runs each); an SFTP one, with its read memory reused too,
 * went from medians of 3.76 and 3.99 s to 3.26 and 3.65 s (two sets of 5 interleaved runs). Other sources
 * keep asynchronous writes: an S3 download written in place was no faster and five of ten runs took
 * 5.5-7.3 s instead of at most 4.6 s.
 * A device slower than the network (a USB stick) makes the kernel throttle the writer; a batch that blocks
 * longer than SLOW_WRITE_MS sends the folder back to asynchronous writes for the rest of the process, so
 * the event loop (progress, cancel, the app's API) stalls once, not for the whole file.
 */
export const SLOW_WRITE_MS = 20;
const slowFolders = new Set<string>();

/** Whether a large write into this native folder writes its batches synchronously. */
export function writesInPlace(nativeDir: string): boolean {
  return !slowFolders.has(nativeDir) && syncSafe(nativeDir);
}

/** A synchronous batch into this folder was slow: its large writes stay asynchronous from now on. */
export function wroteSlowly(nativeDir: string): void {
  if (slowFolders.size >= MAX_REMEMBERED) slowFolders.clear();
  slowFolders.add(nativeDir);
}

/** Writes `bufs` at `position` with one writev (no copy), however many calls the file system takes. */
export function writeAllSync(fd: number, bufs: Buffer[], position: number): void {
  const total = bufs.reduce((n, b) => n + b.length, 0);
  const written = writevSync(fd, bufs, position);
  if (written === total) return;
  // A short write (rare: a signal, a full quota) continues with what is left.
  const rest = Buffer.concat(bufs).subarray(written);
  for (let done = 0; done < rest.length; ) {
    const n = writeSync(fd, rest, done, rest.length - done, position + written + done);
    if (!n) throw new FerryError('INTERNAL', 'The file system accepted no bytes');
    done += n;
  }
}

/** Whether a write of `opts` to `native` takes the synchronous path. */
export function writesSmall(native: string, opts: WriteOptions): boolean {
  return opts.offset === undefined && opts.size !== undefined && opts.size <= SYNC_MAX && syncSafe(dirname(native));
}

/**
 * The local write of a small file: the open, each chunk written as it arrives, the modification time, the
 * size the file holds (the verifying stat, from the open file) and the close, with no thread-pool hop. Bytes
 * written before a failure stay on disk, as on the asynchronous path.
 */
export async function writeSmall(native: string, p: string, source: Readable, opts: WriteOptions): Promise<WriteResult> {
  let fd: number;
  try {
    // Synchronous too: creating a file takes 0.2-0.4 ms on these VMs, and the hand-off to the thread pool and
    // back cost more than several creates overlapping there saved (S3 2,000 small downloads 6.14 -> 5.42 s
    // with 4 transfers, 5.34 -> 5.19 s with 16; SFTP 3.91 -> 3.72 s; docs/benchmarks.md).
    fd = openSync(native, 'w');
  } catch (e) {
    source.destroy();
    throw fromNodeError(e, { path: p });
  }
  let position = 0;
  let written = false;
  try {
    for await (const chunk of source) {
      if (opts.signal?.aborted) throw new FerryError('CANCELLED', `Writing cancelled: ${p}`);
      const buf = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
      for (let done = 0; done < buf.length; ) {
        const n = writeSync(fd, buf, done, buf.length - done, position);
        if (!n) throw new FerryError('INTERNAL', 'The file system accepted no bytes');
        done += n;
        position += n;
      }
      // Written: a chunk whose memory its reader lent (an FTP download's) can be reused.
      handBack(chunk as Buffer);
    }
    if (opts.modified) futimesSync(fd, new Date(), opts.modified);
    const storedSize = fstatSync(fd).size;
    written = true;
    return { size: position, storedSize };
  } catch (e) {
    throw fromNodeError(e, { path: p });
  } finally {
    try {
      closeSync(fd);
    } catch (e) {
      // After a failed write the first error says more; after a good one, a failing close fails the write.
      if (written) throw fromNodeError(e, { path: p });
    }
  }
}

/** rename(2) within a local file system, synchronously; false when the asynchronous path must do it. */
export function renameSmall(nativeFrom: string, nativeTo: string, p: string): boolean {
  if (!syncSafe(dirname(nativeTo))) return false;
  try {
    renameSync(nativeFrom, nativeTo);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EXDEV') return false;
    throw fromNodeError(e, { path: p });
  }
}

/**
 * A whole small file (up to `max` bytes from `start` to `end`, or its end), read synchronously where that
 * is safe: opening an existing file, its fstat and one read take about 50 µs here, against four thread-pool
 * round trips. Null when the file is larger or the folder is not on a local file system: the caller
 * streams it. A folder is IS_A_DIRECTORY.
 */
export function readSmall(native: string, p: string, max: number, start = 0, end?: number): Buffer | null {
  if (!syncSafe(dirname(native))) return null;
  let fd: number;
  try {
    fd = openSync(native, 'r');
  } catch (e) {
    throw fromNodeError(e, { path: p });
  }
  try {
    const st = fstatSync(fd);
    if (st.isDirectory()) throw new FerryError('IS_A_DIRECTORY', `Is a folder: ${p}`, { detail: { path: p } });
    const stop = Math.min(end ?? st.size, st.size);
    if (stop - start > max) return null;
    const buf = Buffer.allocUnsafe(Math.max(0, stop - start));
    let got = 0;
    while (got < buf.length) {
      const n = readSync(fd, buf, got, buf.length - got, start + got);
      if (!n) break;
      got += n;
    }
    return buf.subarray(0, got);
  } catch (e) {
    throw fromNodeError(e, { path: p });
  } finally {
    closeSync(fd);
  }
}
