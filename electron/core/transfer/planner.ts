import type { Capabilities, Entry } from '../../../shared/connectors';
import { LOCAL_ENDPOINT } from '../../../shared/endpoints';
import type { ErrorData } from '../../../shared/errors';
import { basename, dirname, isInside, joinPath, normalizePath, segments } from '../../../shared/paths';
import type { JobSpec, Plan, PlanItem } from '../../../shared/transfers';
import type { Connector } from '../connectors/types';
import type { EndpointProvider } from '../endpoints';
import { FerryError, isFerryError } from '../errors';
import { compileFilters, isGlobSegment, segmentMatcher } from './filters';
import { withConnector } from './leases';
import { isPartialOf, isTempName, localNameProblem, refusedName, renamedName } from './names';
import { decide } from './policy';
import { asFerryError, backoffMs, sleep } from './retry';

/** A plan item plus what the engine keeps to itself (not part of the API's Plan). */
export interface PlannedItem extends PlanItem {
  srcHashes?: Record<string, string>;
  /** A name refused while planning: the job lists this file as failed with this error. */
  error?: ErrorData;
  /** The destination file as planning saw it: a mirror delete goes ahead only if it still matches. */
  dstSize?: number | null;
  dstModified?: string | null;
}

export interface PlanDeps {
  endpoints: EndpointProvider;
  /** The platform whose file system a local destination is on (tests pass 'win32'). */
  platform?: NodeJS.Platform;
  signal?: AbortSignal;
  /**
   * The spec's remote endpoints connecting (engine.connectEarly): calls to any endpoint but this computer's
   * wait for it, and its failure is theirs, not retried; a local side is listed meanwhile.
   */
  connected?: Promise<void>;
}

const LIST_PARALLEL = 4;
const LIST_TRIES = 3;

/** Transfers the plan counts as moving bytes. */
export const MOVING_ACTIONS: ReadonlySet<PlanItem['action']> = new Set(['copy', 'overwrite', 'resume', 'rename', 'conflict']);

export function planTotals(items: PlanItem[]): Plan['totals'] {
  const t = { files: 0, bytes: 0, copies: 0, overwrites: 0, deletes: 0, skips: 0, conflicts: 0 };
  for (const i of items) {
    if (i.action === 'mkdir') continue;
    t.files++;
    if (MOVING_ACTIONS.has(i.action)) t.bytes += i.size;
    if (i.action === 'copy' || i.action === 'rename') t.copies++;
    else if (i.action === 'overwrite' || i.action === 'resume') t.overwrites++;
    else if (i.action === 'delete') t.deletes++;
    else if (i.action === 'skip') t.skips++;
    else if (i.action === 'conflict') t.conflicts++;
  }
  return t;
}

/** Source files found under one root (a folder, or the folder holding a file or a glob's matches). */
interface Found {
  relPath: string;
  entry: Entry;
}

/** A source folder to list: where it is, its path under the job's root, and the folders it is inside of (real paths). */
interface SourceDir {
  path: string;
  rel: string;
  inner: string;
  above: string[];
}

/** A part of the destination that mirror keeps identical to the source: a folder's subtree, or a glob's matches. */
interface MirrorScope {
  dstDir: string;
  relBase: string;
  topMatch?: (name: string) => boolean;
}

/**
 * Lists the source and the destination and decides, per file, what the job will do, before any byte moves.
 * Pure reading: nothing is created or written.
 */
export async function buildPlan(spec: JobSpec, deps: PlanDeps): Promise<PlannedItem[]> {
  const { endpoints, signal } = deps;
  const platform = deps.platform ?? process.platform;
  const srcEp = spec.source.endpoint;
  const dstEp = spec.destination.endpoint;
  const srcCaps = endpoints.capabilities(srcEp);
  const dstCaps = endpoints.capabilities(dstEp);
  // A database holds tables, not files: only a convert (an export or a load) reads or writes one.
  for (const ep of [srcEp, dstEp]) {
    if (spec.kind !== 'convert' && endpoints.isDatabase?.(ep)) {
      throw new FerryError('UNSUPPORTED', `${endpoints.label(ep)} is a database: export a table to a file (ferry export), or load a file into a table (ferry load)`, { detail: { endpoint: ep } });
    }
  }
  if (spec.convert?.load && !endpoints.isDatabase?.(dstEp)) {
    throw new FerryError('INVALID_INPUT', `${endpoints.label(dstEp)} is not a database: a load writes into a database table`, { detail: { endpoint: dstEp } });
  }
  const filter = compileFilters(spec.filters);
  const dstRoot = normalizePath(spec.destination.path);
  const key = (p: string) => (dstCaps.caseInsensitive ? p.toLowerCase() : p);

  /**
   * A call to an endpoint, once its connect has come through (a local side never waits). The wait is outside
   * the retries and outside stat's NOT_FOUND: a failed connect is thrown as it is, never read as a missing path.
   */
  const call = async <T>(endpoint: string, fn: (c: Connector) => Promise<T>, onError?: (e: unknown) => T) => {
    if (endpoint !== LOCAL_ENDPOINT) await deps.connected;
    const attempt = retrying(() => withConnector(endpoints, endpoint, fn, signal), signal);
    return onError ? attempt.catch(onError) : attempt;
  };
  const list = (endpoint: string, path: string) => call(endpoint, (c) => c.list(path, { signal }));
  const stat = (endpoint: string, path: string) =>
    call<Entry | null>(endpoint, (c) => c.stat(path), (e) => {
      if (isFerryError(e, 'NOT_FOUND')) return null;
      throw e;
    });

  const items: PlannedItem[] = [];
  const found: Found[] = [];
  /** Every name the source has (filtered out or not): mirror deletes only what the source lacks. */
  const sourceRels = new Set<string>();
  const emptyDirs: string[] = [];
  const mirrorScopes: MirrorScope[] = [];

  /**
   * Takes one listing's entries under `rel` (inner: the path the filters see); returns folders to descend.
   * `above`: the folders the walk is inside of, as real paths (a followed link's target), for loop detection.
   */
  const take = (entries: Entry[], rel: string, inner: string, above: string[], include: (e: Entry) => boolean = () => true) => {
    const dirs: SourceDir[] = [];
    for (const e of entries) {
      if (!include(e)) continue;
      const r = rel ? `${rel}/${e.name}` : e.name;
      const inn = inner ? `${inner}/${e.name}` : e.name;
      sourceRels.add(r);
      const refused = refusedName(e.name);
      const skipLink = (reason: string) => {
        if (filter.takes(inn, e)) items.push({ relPath: r, srcPath: e.path, dstPath: joinPath(dstRoot, ...r.split('/')), action: 'skip', size: 0, modified: e.modified, reason });
      };
      if (e.invalidName) {
        const message = `Cannot copy ${dirname(e.path)}/${e.invalidName}: its name is not valid UTF-8 (rename it to copy it)`;
        items.push(refusedItem(r, e, dstRoot, 'INVALID_NAME', message));
      } else if (refused) {
        items.push(refusedItem(r, e, dstRoot, refused.code, `Refused ${JSON.stringify(e.name)} from ${e.path}: ${refused.reason}`));
      } else if (e.link && !spec.followSymlinks) {
        skipLink('symbolic link, not followed (--follow-symlinks copies what it points to)');
      } else if (e.link && e.type === 'dir' && above.some((a) => a === e.linkTarget || isInside(e.linkTarget ?? '', a))) {
        skipLink(`symbolic link loop: it points to ${e.linkTarget}, a folder it is inside of`);
      } else if (e.type === 'dir') {
        const real = e.link ? (e.linkTarget ?? e.path) : e.path;
        if (spec.recursive && !filter.prunes(inn)) dirs.push({ path: e.path, rel: r, inner: inn, above: [...above, real] });
      } else if (e.type === 'file') {
        if (filter.takes(inn, e)) found.push({ relPath: r, entry: e });
      } else if (filter.takes(inn, e)) {
        items.push({ relPath: r, srcPath: e.path, dstPath: joinPath(dstRoot, ...r.split('/')), action: 'skip', size: 0, modified: e.modified, reason: 'not a regular file (link or device)' });
      }
    }
    return dirs;
  };

  const walk = (roots: SourceDir[]) =>
    runQueue(roots, LIST_PARALLEL, async (dir, push) => {
      const entries = await list(srcEp, dir.path);
      if (entries.length === 0 && dir.rel) emptyDirs.push(dir.rel);
      for (const d of take(entries, dir.rel, dir.inner, dir.above)) push(d);
    });

  const singleFolderSync = spec.kind === 'sync' && spec.source.paths.length === 1;
  for (const raw of spec.source.paths) {
    const path = normalizePath(raw);
    const last = basename(path);
    // An export of a query reads no path: its one "file" is the query's result.
    const entry = spec.convert?.query ? { name: spec.convert.name, path, type: 'file' as const, size: 0, modified: null } : await stat(srcEp, path);
    if (!entry && last && isGlobSegment(last)) {
      const match = segmentMatcher(last);
      const dirs = take(await list(srcEp, dirname(path)), '', '', [dirname(path)], (e) => match(e.name));
      await walk(dirs);
      mirrorScopes.push({ dstDir: dstRoot, relBase: '', topMatch: match });
    } else if (!entry) {
      throw new FerryError('NOT_FOUND', `Source not found: ${path} on ${endpoints.label(srcEp)}`, { detail: { path } });
    } else if (entry.type === 'dir') {
      const rel = singleFolderSync ? '' : last;
      await walk([{ path, rel, inner: '', above: [path] }]);
      mirrorScopes.push({ dstDir: joinPath(dstRoot, rel), relBase: rel });
    } else if (spec.kind === 'convert') {
      if (entry.type !== 'file') throw new FerryError('IS_A_DIRECTORY', `Convert reads one file; ${path} on ${endpoints.label(srcEp)} is a folder`, { detail: { path } });
      // The result's name, checked like any listed name.
      take([{ ...entry, name: spec.convert!.name, path }], '', '', []);
    } else {
      // A file named by the user: its own name, checked like any listed name.
      take([{ ...entry, name: last, path }], '', '', []);
    }
  }

  // The destination, listed once per folder (cached), walked whole where mirror may delete.
  const dstDirs = new Map<string, Promise<Map<string, Entry> | FerryError>>();
  const dstRootEntry = await stat(dstEp, dstRoot);
  if (dstRootEntry && dstRootEntry.type !== 'dir') {
    throw new FerryError('NOT_A_DIRECTORY', `The destination is not a folder: ${dstRoot} on ${endpoints.label(dstEp)}`, { detail: { path: dstRoot } });
  }
  const dstListing = (dir: string): Promise<Map<string, Entry> | FerryError> => {
    let p = dstDirs.get(dir);
    if (!p) {
      p = !dstRootEntry
        ? Promise.resolve(new Map())
        : list(dstEp, dir).then(
            (entries) => new Map(entries.map((e) => [key(e.name), e])),
            (e) => (isFerryError(e, 'NOT_FOUND') ? new Map<string, Entry>() : isFerryError(e, 'NOT_A_DIRECTORY') ? e : Promise.reject(e)),
          );
      dstDirs.set(dir, p);
    }
    return p;
  };

  const srcKeys = new Set([...sourceRels].map((rel) => key(joinPath(dstRoot, ...rel.split('/')))));
  const deletes: PlannedItem[] = [];
  if (spec.kind === 'sync' && spec.mirror && dstRootEntry) {
    for (const scope of mirrorScopes) {
      await runQueue([{ dir: scope.dstDir, rel: scope.relBase, inner: '', top: true }], LIST_PARALLEL, async (d, push) => {
        const listing = await dstListing(d.dir);
        if (listing instanceof FerryError) return;
        for (const e of listing.values()) {
          if (d.top && scope.topMatch && !scope.topMatch(e.name)) continue;
          if (refusedName(e.name) || isTempName(e.name)) continue;
          const rel = d.rel ? `${d.rel}/${e.name}` : e.name;
          const inner = d.inner ? `${d.inner}/${e.name}` : e.name;
          if (e.type === 'dir') {
            if (spec.recursive && !filter.prunes(inner)) push({ dir: joinPath(d.dir, e.name), rel, inner, top: false });
          } else if (e.type === 'file' && filter.takes(inner, e) && !srcKeys.has(key(joinPath(d.dir, e.name)))) {
            const dstPath = joinPath(d.dir, e.name);
            deletes.push({ relPath: rel, srcPath: null, dstPath, action: 'delete', size: e.size, modified: e.modified, reason: 'not in the source', dstSize: e.size, dstModified: e.modified });
          }
        }
      });
    }
  }

  const tolerance = Math.max(srcCaps.modTime.precisionMs, dstCaps.modTime.precisionMs, 1);
  // A conversion writes other bytes than the source's: a partial result cannot be continued.
  const canResume = spec.kind !== 'convert' && canResumeBetween(srcCaps, dstCaps);
  const planned = new Set<string>();
  for (const f of found) {
    signal?.throwIfAborted();
    const segs = f.relPath.split('/');
    const dstPath = joinPath(dstRoot, ...segs);
    const base = { relPath: f.relPath, srcPath: f.entry.path, size: f.entry.size, modified: f.entry.modified, ...(f.entry.hashes ? { srcHashes: f.entry.hashes } : {}) };
    const fail = (code: ErrorData['code'], message: string): PlannedItem => ({ ...base, dstPath, action: 'skip', reason: message, error: { code, message, retryable: false, detail: { path: dstPath } } });
    if (!isInside(dstRoot, dstPath) || segments(dstPath).length !== segments(dstRoot).length + segs.length) {
      items.push(fail('PATH_ESCAPE', `Refused ${f.relPath}: it would land outside ${dstRoot}`));
      continue;
    }
    const badLocal = dstEp === LOCAL_ENDPOINT ? segs.map((s) => localNameProblem(s, platform)).find(Boolean) : null;
    if (badLocal) {
      items.push(fail('INVALID_NAME', `Cannot create ${f.relPath} on this computer: ${badLocal}`));
      continue;
    }
    if (planned.has(key(dstPath))) {
      items.push(fail('CONFLICT', `Two source files would be written to ${dstPath}; this one was left out`));
      continue;
    }
    const dir = dirname(dstPath);
    const listing = await dstListing(dir);
    if (listing instanceof FerryError) {
      items.push(fail('NOT_A_DIRECTORY', `Cannot write ${dstPath}: a file is in the way of its folder`));
      continue;
    }
    const existing = listing.get(key(basename(dstPath)));
    if (existing && existing.type !== 'file') {
      items.push(fail('IS_A_DIRECTORY', `Cannot write ${dstPath}: a folder of that name exists`));
      continue;
    }
    // A partial file any earlier writer left (its temp name carries that writer's tag): the largest.
    const name = key(basename(dstPath));
    let partial: Entry | undefined;
    if (spec.conflict === 'resume') {
      for (const [n, e] of listing) if (e.type === 'file' && isPartialOf(n, name) && (!partial || e.size > partial.size)) partial = e;
    }
    const decision = decide({
      kind: spec.kind,
      policy: spec.conflict,
      src: f.entry,
      dst: existing ?? null,
      partialSize: partial?.type === 'file' ? partial.size : null,
      canResume,
      toleranceMs: tolerance,
    });
    let target = dstPath;
    if (decision.action === 'rename') {
      const name = renamedName(basename(dstPath), (c) => listing.has(key(c)) || planned.has(key(joinPath(dir, c))));
      target = joinPath(dir, name);
    }
    planned.add(key(target));
    items.push({
      ...base,
      dstPath: target,
      action: decision.action,
      ...(decision.reason ? { reason: decision.reason } : {}),
      ...(existing ? { dstSize: existing.size, dstModified: existing.modified } : {}),
    });
  }

  // Empty source folders are recreated where the destination keeps folders (not with include filters,
  // which select files, nor where the folder already exists).
  const mkdirs: PlannedItem[] = [];
  if (dstCaps.emptyDirs && spec.filters.include.length === 0) {
    for (const rel of emptyDirs) {
      const dstPath = joinPath(dstRoot, ...rel.split('/'));
      const listing = await dstListing(dirname(dstPath));
      if (listing instanceof FerryError || listing.has(key(basename(dstPath)))) continue;
      mkdirs.push({ relPath: rel, srcPath: null, dstPath, action: 'mkdir', size: 0, modified: null });
    }
  }

  // Folders first, files in path order, deletes last: an interrupted mirror has copied before it removed.
  return [...mkdirs.sort(byRelPath), ...items.sort(byRelPath), ...deletes.sort(byRelPath)];
}

const byRelPath = (a: PlanItem, b: PlanItem) => (a.relPath < b.relPath ? -1 : a.relPath > b.relPath ? 1 : 0);

export function canResumeBetween(src: Capabilities, dst: Capabilities): boolean {
  return !dst.atomicWrite && dst.resumableWrite && dst.rename && src.rangedRead;
}

function refusedItem(relPath: string, e: Entry, dstRoot: string, code: ErrorData['code'], message: string): PlannedItem {
  return {
    relPath,
    srcPath: e.path,
    // For display only: this item is never written anywhere.
    dstPath: `${dstRoot === '/' ? '' : dstRoot}/${relPath}`,
    action: 'skip',
    size: e.type === 'file' ? e.size : 0,
    modified: e.modified,
    reason: message,
    error: { code, message, retryable: false, detail: { name: e.name, path: e.path } },
  };
}

/** Runs `worker` over a growing queue with at most `concurrency` in flight; the first error stops it. */
async function runQueue<T>(initial: T[], concurrency: number, worker: (item: T, push: (t: T) => void) => Promise<void>): Promise<void> {
  const queue = [...initial];
  let active = 0;
  let failed: unknown;
  await new Promise<void>((resolve, reject) => {
    const next = () => {
      if (failed) return;
      if (queue.length === 0 && active === 0) return resolve();
      while (active < concurrency && queue.length) {
        const item = queue.shift() as T;
        active++;
        worker(item, (t) => queue.push(t)).then(
          () => {
            active--;
            next();
          },
          (e) => {
            failed = e;
            reject(e);
          },
        );
      }
    };
    next();
  });
}

/** Planning reads are retried a few times on transient errors (a dropped connection mid-listing). */
async function retrying<T>(fn: () => Promise<T>, signal?: AbortSignal): Promise<T> {
  for (let failures = 1; ; failures++) {
    try {
      return await fn();
    } catch (e) {
      const err = asFerryError(e);
      if (!err.retryable || failures >= LIST_TRIES) throw err;
      await sleep(backoffMs(failures, { attempts: LIST_TRIES, baseMs: 300, maxMs: 3000 }, err), signal);
    }
  }
}
