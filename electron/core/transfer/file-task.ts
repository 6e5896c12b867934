import { createHash, type Hash } from 'node:crypto';
import type { Readable } from 'node:stream';
import type { Capabilities, Entry } from '../../../shared/connectors';
import { basename, dirname, joinPath } from '../../../shared/paths';
import { formatFromName } from '../../../shared/table-formats';
import type { ConflictPolicy, JobSpec, PlanAction } from '../../../shared/transfers';
import { finalFacts } from '../connectors/final-facts';
import type { Connector, Logger, WriteResult } from '../connectors/types';
import type { EndpointProvider } from '../endpoints';
import { FerryError, isFerryError } from '../errors';
import { HEAP_DOUBLE, HEAP_HALF, withBoundedHeap } from '../heap-policy';
import type { LeaseBroker, LeasePair } from './leases';
import { convertFile, loadIntoTable, loadNote } from './convert-task';
import { Meter, type Throttle } from './meter';
import { isPartialOf, renamedName, tempPathFor } from './names';
import { canResumeBetween } from './planner';
import { decide, sameFile, type FileFacts } from './policy';
import { segmentedRead, type SegmentSettings } from './segmented-read';
import { asFerryError, breaksConnection } from './retry';
import type { FileRow } from './store';

export interface TaskContext {
  spec: JobSpec;
  endpoints: EndpointProvider;
  broker: LeaseBroker;
  throttle: Throttle | null;
  signal: AbortSignal;
  /** Folders this job already made sure exist at the destination. */
  ensuredDirs: Set<string>;
  /** Destination folders listed during this run (mirror deletes check their files against these). */
  listings: Map<string, Promise<Map<string, Entry>>>;
  /**
   * Whether a fresh look at the destination reads the folder's listing (once per run) rather than a stat per
   * file: for folders many of this job's files go to, where one listing costs less than a round trip each.
   */
  listsFolder(dir: string): boolean;
  /** With spec.streams > 1, large files from a source that declares parallelReads are read in segments. */
  segments: SegmentSettings;
  /** The job ran before this run (interrupted, paused or retried): its files may be at their destinations already. */
  ranBefore: boolean;
  /** The conflict policy for this file: the user's answer, "apply to all", or the job's. */
  policy: ConflictPolicy;
  /** Called as bytes reach the destination: the file's bytes done so far, and how many were just sent. */
  onBytes(bytesDone: number, sent: number): void;
  /** A load or export: the rows so far, and their total where known (a table's estimate, a Parquet footer). */
  onRows?(rowsDone: number, rowsTotal: number | null): void;
  log: Logger;
  /** This job's part of its temp names (names.ts writerTag): no two writers share a temp file. */
  writerTag: string;
  /**
   * Waits for the writer lease on a destination path (one job at a time writes a path, across processes).
   * The job gives it back with the file's next state.
   */
  claimPath(dstPath: string, signal: AbortSignal): Promise<void>;
}

export type TaskResult =
  | {
      state: 'done';
      action: PlanAction;
      dstPath: string;
      size: number;
      /** Bytes sent over the wire in this run (0 for a rename, a server-side copy or a delete). */
      sent: number;
      verified: 'md5' | 'size' | null;
      resumedFrom: number;
      /** What the file's row says besides (a load: how many rows it loaded). */
      note?: string;
      /** A load: source rows read, loaded and rejected. */
      rows?: { read: number; loaded: number; rejected: number };
    }
  | { state: 'skipped'; action: PlanAction; dstPath: string; reason: string }
  | { state: 'conflict'; reason: string };

/** Runs one job file once (the caller retries). Throws FerryError; the source is never touched before a verified write. */
export async function runTask(row: FileRow, ctx: TaskContext): Promise<TaskResult> {
  const dstEp = ctx.spec.destination.endpoint;
  if (row.action === 'mkdir' || row.action === 'delete') {
    const lease = await ctx.broker.one(dstEp, ctx.signal);
    let broken = false;
    try {
      return row.action === 'mkdir' ? await makeDir(lease.connector, row) : await deleteFile(lease.connector, row, ctx);
    } catch (e) {
      broken = breaksConnection(e);
      throw e;
    } finally {
      lease.release(broken);
    }
  }
  // The lease first, connectors after: a file waiting for another job's write holds no connection.
  await ctx.claimPath(row.dstPath, ctx.signal);
  const pair = await ctx.broker.pair(ctx.spec.source.endpoint, dstEp, ctx.signal, onServer(ctx), { share: row.size <= SHARED_FILE_BYTES });
  let broken = false;
  try {
    return await transfer(row, ctx, pair);
  } catch (e) {
    broken = breaksConnection(e);
    throw e;
  } finally {
    pair.release(broken);
  }
}

/**
 * Files up to this size may share a connection with other small files where the endpoint allows it
 * (capabilities.sharedTransfers: SFTP); a larger file gets a connection of its own. docs/connectors.md
 * says "up to 4 MiB" (connectors/docs.ts).
 */
const SHARED_FILE_BYTES = 4 * 1024 * 1024;

/** Within one endpoint that copies (or, for a move, renames) on the server, one connection does both sides. */
function onServer(ctx: TaskContext): boolean {
  const { source, destination } = ctx.spec;
  if (source.endpoint !== destination.endpoint) return false;
  const caps = ctx.endpoints.capabilities(destination.endpoint);
  return caps.serverSideCopy || (ctx.spec.kind === 'move' && caps.rename);
}

async function makeDir(dst: Connector, row: FileRow): Promise<TaskResult> {
  await dst.mkdir(row.dstPath);
  return { state: 'done', action: 'mkdir', dstPath: row.dstPath, size: 0, sent: 0, verified: null, resumedFrom: 0 };
}

/**
 * Mirror deletes exactly the file the plan listed: if it changed since (or is gone), it is kept. Its facts
 * now come from a listing, as the plan's did (on some stores stat reports another time than a listing).
 */
async function deleteFile(dst: Connector, row: FileRow, ctx: TaskContext): Promise<TaskResult> {
  const st = await listedEntry(dst, row.dstPath, ctx);
  const skip = (reason: string): TaskResult => ({ state: 'skipped', action: 'delete', dstPath: row.dstPath, reason });
  if (!st) return skip('already gone');
  if (st.type !== 'file' || (row.dstSize !== null && st.size !== row.dstSize) || (row.dstModified && st.modified && st.modified !== row.dstModified)) {
    return skip('changed since the plan was made: kept');
  }
  await dst.remove(row.dstPath);
  return { state: 'done', action: 'delete', dstPath: row.dstPath, size: 0, sent: 0, verified: null, resumedFrom: 0 };
}

/** The entry at `path` as its folder's listing shows it (listed once per folder and run), or null. */
async function listedEntry(c: Connector, path: string, ctx: TaskContext): Promise<Entry | null> {
  const dir = dirname(path);
  let listing = ctx.listings.get(dir);
  if (!listing) {
    listing = c.list(dir, { signal: ctx.signal }).then(
      (entries) => new Map(entries.map((e) => [e.name, e])),
      (e) => (isFerryError(e, 'NOT_FOUND') ? new Map<string, Entry>() : Promise.reject(e)),
    );
    ctx.listings.set(dir, listing);
    listing.catch(() => ctx.listings.delete(dir));
  }
  return (await listing).get(basename(path)) ?? null;
}

async function statOrNull(c: Connector, path: string): Promise<Entry | null> {
  try {
    return await c.stat(path);
  } catch (e) {
    if (isFerryError(e, 'NOT_FOUND')) return null;
    throw e;
  }
}

/** "name (n).ext" next to the planned name, checked against the destination as it is now. */
async function freeName(dst: Connector, row: FileRow): Promise<string> {
  const dir = dirname(row.dstPath);
  const original = basename(row.relPath);
  if (basename(row.dstPath) !== original && !(await statOrNull(dst, row.dstPath))) return row.dstPath;
  const taken = new Set<string>();
  for (;;) {
    const name = renamedName(original, (c) => taken.has(c));
    const candidate = joinPath(dir, name);
    if (!(await statOrNull(dst, candidate))) return candidate;
    taken.add(name);
  }
}

async function transfer(row: FileRow, ctx: TaskContext, pair: LeasePair): Promise<TaskResult> {
  const { src, dst } = pair;
  const srcCaps = src.capabilities;
  const dstCaps = dst.capabilities;
  const kind = ctx.spec.kind;
  const srcPath = row.srcPath as string;
  const canResume = canResumeBetween(srcCaps, dstCaps);
  const srcFacts: FileFacts = { size: row.size, modified: row.modified, hashes: row.srcHashes ?? undefined };

  // The destination may have changed since the plan; a conflict answer needs a fresh look too. Like the
  // plan's, that look is a listing for a folder many files go to (taken once, when the first of them runs).
  let action: PlanAction = row.action;
  let dstPath = row.dstPath;
  let reason: string | undefined;
  if (action === 'conflict' || (action === 'copy' && ctx.policy !== 'overwrite')) {
    const existing = ctx.listsFolder(dirname(row.dstPath)) ? await listedEntry(dst, row.dstPath, ctx) : await statOrNull(dst, row.dstPath);
    const tolerance = Math.max(srcCaps.modTime.precisionMs, dstCaps.modTime.precisionMs, 1);
    if (existing?.type === 'file' && finishedEarlier(row, ctx, dstCaps.modTime.settable) && sameFile(srcFacts, existing, tolerance)) {
      return { state: 'done', action: 'copy', dstPath, size: existing.size, sent: 0, verified: 'size', resumedFrom: 0, note: 'finished by an earlier run of this job' };
    }
    const partial = ctx.policy === 'resume' && !dstCaps.atomicWrite ? await partialFile(dst, row.dstPath, ctx) : null;
    const d = decide({
      kind,
      policy: ctx.policy,
      src: srcFacts,
      dst: existing,
      partialSize: partial?.size ?? null,
      canResume,
      toleranceMs: tolerance,
    });
    if (d.action === 'conflict') return { state: 'conflict', reason: d.reason ?? 'exists' };
    if (d.action === 'skip') return { state: 'skipped', action: 'skip', dstPath, reason: d.reason ?? 'exists' };
    action = d.action;
    reason = d.reason;
  }
  if (kind === 'convert' && dst.tables) {
    // A load: the table store's transaction is the atomic write; the mode (create/append/...) decides what
    // happens to a table that is there, so no file conflict policy applies.
    const loaded = await withBoundedHeap(() =>
      loadIntoTable(row, src, dst, {
        spec: ctx.spec,
        throttle: ctx.throttle,
        signal: ctx.signal,
        srcLabel: `${ctx.endpoints.label(ctx.spec.source.endpoint)}:${srcPath}`,
        onBytes: ctx.onBytes,
        endpoints: ctx.endpoints,
        onRows: ctx.onRows,
      }),
      HEAP_HALF,
    );
    return { state: 'done', action, dstPath: row.dstPath, size: row.size, sent: row.size, verified: null, resumedFrom: 0, note: loadNote(loaded), rows: { read: loaded.read, loaded: loaded.loaded, rejected: loaded.rejected } };
  }
  if (action === 'rename') dstPath = await freeName(dst, { ...row, dstPath });

  const dir = dirname(dstPath);
  if (dstCaps.emptyDirs && !ctx.ensuredDirs.has(dir)) {
    await dst.mkdir(dir);
    ctx.ensuredDirs.add(dir);
  }
  const same = ctx.spec.source.endpoint === ctx.spec.destination.endpoint;
  ctx.log.debug('transfer file', { src: srcPath, dst: dstPath, action, reason });

  if (!dstCaps.atomicWrite && !dst.rename) {
    throw new FerryError('UNSUPPORTED', `${ctx.endpoints.label(ctx.spec.destination.endpoint)} can neither write atomically nor rename: Ferry cannot guarantee that no partial file is visible`);
  }
  const writePath = dstCaps.atomicWrite ? dstPath : tempPathFor(dstPath, ctx.writerTag);

  if (kind === 'convert') {
    const converted = await withBoundedHeap(() =>
      convertFile(row, src, dst, writePath, {
        spec: ctx.spec,
        throttle: ctx.throttle,
        signal: ctx.signal,
        srcLabel: `${ctx.endpoints.label(ctx.spec.source.endpoint)}:${srcPath}`,
        onBytes: ctx.onBytes,
        onRows: ctx.onRows,
      }),
      readsParquet(row, ctx.spec) ? HEAP_HALF : HEAP_DOUBLE,
    ).catch(async (e) => {
      // Nothing of a failed conversion is worth keeping (it cannot be resumed): no temp file is left behind.
      if (writePath !== dstPath) await dst.remove(writePath).catch(() => {});
      throw e;
    });
    const verified = await verify(row, ctx, pair, writePath, { ...converted, offset: 0 }, false);
    if (writePath !== dstPath) await dst.rename!(writePath, dstPath);
    return { state: 'done', action, dstPath, size: converted.size, sent: converted.size, verified, resumedFrom: 0 };
  }

  // A move inside one endpoint that can rename: nothing is sent. Via the temp name, so that a rename the
  // connector has to emulate (across disks) is never seen half-done under the final name.
  if (kind === 'move' && same && dst.rename) {
    await dst.rename(srcPath, writePath);
    if (writePath !== dstPath) {
      try {
        await dst.rename(writePath, dstPath);
      } catch (e) {
        await dst.rename(writePath, srcPath).catch(() => {});
        throw e;
      }
    }
    const st = await dst.stat(dstPath);
    ctx.onBytes(st.size, 0);
    return { state: 'done', action, dstPath, size: st.size, sent: 0, verified: 'size', resumedFrom: 0 };
  }
  let written: Written;
  if (same && dst.copy) {
    await dst.copy(srcPath, writePath);
    const st = await dst.stat(writePath);
    ctx.onBytes(st.size, 0);
    written = { size: st.size, digest: null, dstMd5: st.hashes?.md5 ?? null, offset: 0, sent: 0 };
  } else {
    written = await streamCopy(row, ctx, pair, { srcPath, writePath, action, canResume, dstPath });
    if (changesInPlace(srcCaps)) await recheckSource(row, pair, writePath, written);
  }

  const verified = await verify(row, ctx, pair, writePath, written);
  if (writePath !== dstPath) await dst.rename!(writePath, dstPath);
  if (kind === 'move') await src.remove(srcPath);
  return { state: 'done', action, dstPath, size: written.size, sent: written.sent, verified, resumedFrom: written.offset };
}

/**
 * Files on a file system (local, SFTP, FTP) can change while they are read; an object store replaces an
 * object whole, so a read sees one version (its atomicWrite says so).
 */
const changesInPlace = (caps: Capabilities) => !caps.atomicWrite;

/**
 * The source once more after its bytes were streamed, as rclone does: a file truncated, grown or rewritten
 * during the copy fails ("source changed during copy") instead of being delivered as a mix of two versions.
 * Compared with what the plan saw (a listing's facts; stat and listing agree on these file systems) and with
 * the bytes streamed. What was written is removed; the file gets one more try (sourceChanged).
 *
 * Where the source's reader reported the file's facts after its last byte was read (../connectors/final-facts.ts),
 * those are used and no stat is sent. SFTP's come from an FSTAT of the open handle behind the last READ: they
 * describe the file that was read, so a file deleted or replaced (renamed over) after it was opened passes,
 * delivered whole, one version, as read. FTP's are a SIZE and an MDTM of the path, answered right after the
 * transfer's last reply.
 */
async function recheckSource(row: FileRow, pair: LeasePair, writePath: string, written: Written): Promise<void> {
  const { src, dst } = pair;
  const srcPath = row.srcPath as string;
  const streamed = written.size;
  const reported = written.sourceAfter ? await written.sourceAfter.catch(() => undefined) : undefined;
  const now = reported ?? (await statOrNull(src, srcPath));
  const tolerance = Math.max(src.capabilities.modTime.precisionMs, 1);
  const what = !now
    ? 'it was deleted'
    : now.size !== row.size || now.size !== streamed
      ? `it had ${row.size} bytes when listed, ${streamed} were read, it has ${now.size} now`
      : row.modified && now.modified && Math.abs(Date.parse(now.modified) - Date.parse(row.modified)) >= tolerance
        ? `its modification time went from ${row.modified} to ${now.modified}`
        : null;
  if (!what) return;
  await dst.remove(writePath).catch(() => {});
  const detail = { path: srcPath, sourceChanged: true, size: now?.size ?? null, modified: now?.modified ?? null };
  throw new FerryError('CONFLICT', `Source changed during copy: ${srcPath} (${what}); the copy was removed`, { detail });
}

/**
 * Whether a file found at its destination may be this job's own finished copy: the job ran before (a run
 * killed between a file's rename and its state's commit leaves it pending, store.finishFile), the plan found
 * nothing there, the writer set the copy's modification time, and the source stays (a move must still
 * delete it, so it copies again).
 */
function finishedEarlier(row: FileRow, ctx: TaskContext, timeSettable: boolean): boolean {
  return ctx.ranBefore && row.action === 'copy' && timeSettable && ctx.spec.kind !== 'move' && ctx.spec.kind !== 'convert';
}

/** Where a run continues: the size of a partial temp file this job (or, with "resume", an earlier one) left. */
async function resumeOffset(row: FileRow, ctx: TaskContext, pair: LeasePair, p: { writePath: string; action: PlanAction; canResume: boolean; dstPath: string }): Promise<number> {
  const { src, dst } = pair;
  if (!p.canResume || p.writePath === p.dstPath) return 0;
  const interrupted = row.attempts > 0 || row.bytesDone > 0;
  if (p.action !== 'resume' && !interrupted) return 0;
  let partial = await statOrNull(dst, p.writePath);
  if (!partial && p.action === 'resume') {
    // "resume" over an earlier job's partial file: this job takes it over under its own temp name (the
    // writer lease says no other job writes this path now).
    const earlier = await partialFile(dst, p.dstPath, ctx);
    if (earlier && earlier.path !== p.writePath) {
      await dst.rename!(earlier.path, p.writePath);
      partial = await statOrNull(dst, p.writePath);
    }
  }
  if (!partial && p.action === 'resume') {
    // "resume" over a shorter file under the final name: take it aside first, so the final name never
    // shows a file still growing; it comes back complete and verified.
    const existing = await statOrNull(dst, p.dstPath);
    if (existing && existing.type === 'file' && existing.size > 0 && existing.size < row.size) {
      await dst.rename!(p.dstPath, p.writePath);
      partial = await statOrNull(dst, p.writePath);
    }
  }
  if (!partial || partial.type !== 'file' || partial.size <= 0 || partial.size > row.size) return 0;
  if (interrupted && p.action !== 'resume') {
    // Our own partial file: only valid if the source is still the file it was written from (its folder's
    // listing, like the plan's, so that the same kind of time is compared).
    const now = await listedSource(src, row.srcPath as string, ctx.signal);
    if (!now || now.size !== row.size || (row.modified && now.modified && now.modified !== row.modified)) return 0;
  }
  return partial.size;
}

/** This job's partial file of `dstPath`, else the largest an earlier writer left next to it, or null. */
async function partialFile(dst: Connector, dstPath: string, ctx: TaskContext): Promise<Entry | null> {
  const own = await statOrNull(dst, tempPathFor(dstPath, ctx.writerTag));
  if (own) return own;
  const name = basename(dstPath);
  const entries = await dst.list(dirname(dstPath), { signal: ctx.signal }).catch((e) => (isFerryError(e, 'NOT_FOUND') ? [] : Promise.reject(e)));
  const partials = entries.filter((e) => e.type === 'file' && isPartialOf(e.name, name)).sort((a, b) => b.size - a.size);
  return partials[0] ?? null;
}

async function listedSource(src: Connector, path: string, signal: AbortSignal): Promise<Entry | null> {
  const entries = await src.list(dirname(path), { signal });
  return entries.find((e) => e.path === path || e.name === basename(path)) ?? null;
}

/** What a file's write produced, for its verification and the source's re-check. */
interface Written {
  size: number;
  digest: string | null;
  dstMd5: string | null;
  offset: number;
  sent: number;
  storedSize?: number;
  /** The source as its reader saw it after the last byte (../connectors/final-facts.ts), where it said. */
  sourceAfter?: Promise<Entry>;
}

async function streamCopy(
  row: FileRow,
  ctx: TaskContext,
  pair: LeasePair,
  p: { srcPath: string; writePath: string; action: PlanAction; canResume: boolean; dstPath: string },
): Promise<Written> {
  const { src, dst } = pair;
  const offset = await resumeOffset(row, ctx, pair, p);
  // Ferry's md5 of the bytes it streams is worth its CPU only when a side can give one to compare it with.
  const hash: Hash | null = ctx.spec.verify === 'hash' && md5ToCompare(row, src.capabilities, dst.capabilities) ? createHash('md5') : null;
  if (hash && offset > 0) {
    // The md5 must cover the whole file: read the kept prefix back from the destination.
    await consume(await dst.read(p.writePath, { start: 0, end: offset, signal: ctx.signal }), hash, ctx.signal);
  }
  ctx.onBytes(offset, 0);
  const source =
    (ctx.spec.streams ?? 1) > 1 && src.capabilities.parallelReads && src.capabilities.rangedRead && row.size - offset >= ctx.segments.minBytes
      ? await segmentedRead({ endpoints: ctx.endpoints, endpoint: ctx.spec.source.endpoint, first: src, path: p.srcPath, start: offset, end: row.size, signal: ctx.signal, settings: ctx.segments, streams: ctx.spec.streams })
      : await src.read(p.srcPath, offset > 0 ? { start: offset, signal: ctx.signal } : { signal: ctx.signal });
  const writeOpts = {
    size: row.size,
    ...(offset > 0 ? { offset } : {}),
    ...(row.modified && dst.capabilities.modTime.settable ? { modified: new Date(row.modified) } : {}),
    signal: ctx.signal,
  };
  if (!hash && !ctx.throttle && offset === 0 && row.size <= DIRECT_MAX_BYTES) {
    // Nothing to hash or throttle: the Meter would only count. The writer reads the source itself and its
    // count is the one verified; progress comes once the file is written.
    const written = await pipeInto(source, null, ctx.signal, () => dst.write(p.writePath, source, writeOpts));
    ctx.onBytes(written.size, written.size);
    return { size: written.size, digest: null, dstMd5: written.hashes?.md5 ?? null, offset, sent: written.size, storedSize: written.storedSize, sourceAfter: finalFacts(source) };
  }
  const meter = new Meter({ hash, throttle: ctx.throttle, signal: ctx.signal, onBytes: (n) => ctx.onBytes(offset + meter.bytes, n) });
  const result = await pipeInto(source, meter, ctx.signal, () => dst.write(p.writePath, meter, writeOpts));
  return {
    size: offset + meter.bytes,
    digest: hash ? hash.digest('hex') : null,
    dstMd5: result.hashes?.md5 ?? null,
    offset,
    sent: meter.bytes,
    storedSize: result.storedSize,
    sourceAfter: finalFacts(source),
  };
}

/**
 * Files up to this size that nothing hashes or throttles go from their reader straight to their writer,
 * with no Meter between: on 2,000 small FTP downloads the Meter and its pipe were 5-6 % of the time
 * (docs/benchmarks.md). Their progress is reported once, when written, so the bound is kept small: on a
 * slow link (100 KB/s) such a file shows no progress for under a second. A larger file's flows as it goes.
 */
const DIRECT_MAX_BYTES = 64 * 1024;

/**
 * Whether someone can give an md5 to compare Ferry's with: the source listed one for this file, the
 * destination reports one for what it stored, or the source can be asked for one. A file nobody can hash
 * is verified by size, as rclone and OpenSSH do: reading it back would check only Ferry's own write, at the
 * cost of a second pass over every byte.
 */
function md5ToCompare(row: FileRow, srcCaps: Capabilities, dstCaps: Capabilities): boolean {
  return !!row.srcHashes?.md5 || dstCaps.hashes.includes('md5') || srcCaps.hashes.includes('md5');
}

async function destinationMd5(dst: Connector, path: string): Promise<string | null> {
  return dst.hash && dst.capabilities.hashes.includes('md5') ? dst.hash(path, 'md5') : null;
}

async function consume(stream: Readable, hash: Hash, signal: AbortSignal): Promise<void> {
  for await (const chunk of stream) {
    signal.throwIfAborted();
    hash.update(chunk as Buffer);
  }
}

/**
 * Pipes source → meter while the destination's write consumes the meter (or, with no meter, the source
 * itself). Settles on the first failure of any side (a read error, the throttle's abort, the write, or the
 * job's signal) and closes the streams.
 */
async function pipeInto(source: Readable, meter: Meter | null, signal: AbortSignal, write: () => Promise<WriteResult>): Promise<WriteResult> {
  let onAbort: (() => void) | undefined;
  const failed = new Promise<never>((_, reject) => {
    source.once('error', (e) => {
      meter?.destroy(asFerryError(e));
      reject(asFerryError(e));
    });
    meter?.once('error', (e) => reject(asFerryError(e)));
    onAbort = () => reject(new FerryError('CANCELLED', 'Cancelled'));
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
  });
  if (meter) source.pipe(meter);
  const writing = write();
  writing.catch(() => {});
  failed.catch(() => {});
  const close = () => {
    if (meter) {
      source.unpipe(meter);
      meter.destroy();
    }
    source.destroy();
  };
  try {
    return await Promise.race([writing, failed]);
  } catch (e) {
    // The destination's own clean-up (an S3 multipart upload aborted, a file handle closed) finishes before
    // the file is reported stopped; bounded, so a write hung on a dead connection cannot hold a cancel.
    close();
    await Promise.race([writing.catch(() => {}), new Promise((r) => setTimeout(r, WRITE_SETTLE_MS).unref())]);
    throw e;
  } finally {
    if (onAbort) signal.removeEventListener('abort', onAbort);
    close();
  }
}

/** How long a failed or cancelled write may take to clean up after itself (ms). */
const WRITE_SETTLE_MS = 5000;

/**
 * Size always (the destination's stat of what it stored); md5 whenever either side reports one to compare
 * with Ferry's own md5 of the bytes it streamed. A mismatch removes what was written and fails the file.
 */
async function verify(
  row: FileRow,
  ctx: TaskContext,
  pair: LeasePair,
  writePath: string,
  w: { size: number; digest: string | null; dstMd5: string | null; offset: number; storedSize?: number },
  /** False when the written bytes are not the source's (a conversion): only Ferry's md5 and the destination's compare. */
  sameAsSource = true,
): Promise<'md5' | 'size'> {
  const { src, dst } = pair;
  const fail = async (what: string, detail: Record<string, unknown>) => {
    await dst.remove(writePath).catch(() => {});
    const err = new FerryError('CHECKSUM_MISMATCH', `${row.dstPath} did not verify: ${what}. The written file was removed; the source is kept.`, {
      detail: { path: row.dstPath, source: row.srcPath, ...detail },
    });
    ctx.log.warn('verification failed', { path: row.dstPath, ...detail });
    throw err;
  };
  const ours = w.digest;
  // An md5 the destination reported for what it stored (object stores answer the write with it) that equals
  // Ferry's md5 of the whole streamed file proves size and content: no extra stat round trip per file.
  const reportedMatch = w.offset === 0 && !!ours && w.dstMd5 === ours;
  // The size the server reported at the end of the write (SFTP's fstat with the close) spares a stat too.
  const st = reportedMatch || w.storedSize !== undefined ? null : await dst.stat(writePath);
  const held = st?.size ?? w.storedSize;
  if (held !== undefined && held !== w.size) await fail(`the destination holds ${held} bytes, ${w.size} were sent`, { expected: w.size, actual: held });
  if (ctx.spec.verify !== 'hash') return reportedMatch ? 'md5' : 'size';

  let srcMd5 = sameAsSource && w.size === row.size ? (row.srcHashes?.md5 ?? null) : null;
  const reported = w.dstMd5 ?? st?.hashes?.md5 ?? null;
  const dstHashes = dst.capabilities.hashes.includes('md5');
  // The source is asked (where its listing had no md5) when it is the only side to compare with, after a
  // resume (the kept prefix was read back from the destination, so only the source can vouch for it), or
  // after a server-side copy (nothing was streamed).
  const askSource = ours ? w.offset > 0 || (!reported && !dstHashes) : w.offset === 0;
  if (sameAsSource && !srcMd5 && askSource && src.hash && src.capabilities.hashes.includes('md5')) srcMd5 = await src.hash(row.srcPath as string, 'md5');
  const dstMd5 = reported ?? (ours || srcMd5 ? await destinationMd5(dst, writePath) : null);
  // Ferry's md5 of what it streamed against each side's; a server-side copy streamed nothing, so the two
  // sides' own hashes are compared with each other.
  const checks: Array<[string | null, string | null, string]> = ours
    ? [
        [ours, dstMd5, 'the destination'],
        [ours, srcMd5, 'the source'],
      ]
    : [[srcMd5, dstMd5, 'the destination (copied on the server)']];
  let compared = false;
  for (const [a, b, side] of checks) {
    if (!a || !b) continue;
    if (a.toLowerCase() !== b.toLowerCase()) await fail(`md5 of the bytes sent is ${a}, ${side} reports ${b}`, { sent: a, reported: b });
    compared = true;
  }
  return compared ? 'md5' : 'size';
}

/** Whether a conversion reads a Parquet file (its format named, or else told by the name): its heap is bound tighter (heap-policy.ts). */
function readsParquet(row: FileRow, spec: JobSpec): boolean {
  return (spec.convert?.read?.format ?? formatFromName(row.srcPath ?? row.relPath)) === 'parquet';
}
