import picomatch from 'picomatch';
import type { Entry } from '../../../shared/connectors';
import type { Filters } from '../../../shared/transfers';
import { FerryError } from '../errors';

/**
 * The job's filters, compiled once. Globs match the path relative to the job's roots ('/'-separated); a glob
 * without a slash also matches the last segment, so "*.tmp" excludes "a/b/c.tmp" and "node_modules" prunes
 * that folder wherever it is. Mirror applies the same filters to destination files: what the job does not
 * take from the source, it never deletes from the destination.
 */
export interface FileFilter {
  /** A folder whose whole subtree is excluded: not listed at all. */
  prunes(relPath: string): boolean;
  /** A file the job takes (globs, size and time filters). */
  takes(relPath: string, entry: Pick<Entry, 'size' | 'modified'>): boolean;
}

const GLOB_OPTS = { dot: true, basename: true } as const;

function parseTime(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw new FerryError('INVALID_INPUT', `${name} is not a date: "${value}"`, { detail: { field: name } });
  return t;
}

export function compileFilters(f: Filters): FileFilter {
  const include = f.include.length ? picomatch(f.include, GLOB_OPTS) : null;
  const exclude = f.exclude.length ? picomatch(f.exclude, GLOB_OPTS) : null;
  const after = parseTime(f.modifiedAfter, 'modifiedAfter');
  const before = parseTime(f.modifiedBefore, 'modifiedBefore');
  const inScope = (rel: string) => (!include || include(rel)) && !(exclude && exclude(rel));
  return {
    prunes: (rel) => !!exclude && exclude(rel),
    takes(rel, entry) {
      if (!inScope(rel)) return false;
      if (f.minSize !== undefined && entry.size < f.minSize) return false;
      if (f.maxSize !== undefined && entry.size > f.maxSize) return false;
      if (after !== undefined || before !== undefined) {
        // A file whose time is unknown cannot be shown to match a time filter.
        const t = entry.modified ? Date.parse(entry.modified) : NaN;
        if (Number.isNaN(t)) return false;
        if (after !== undefined && t < after) return false;
        if (before !== undefined && t > before) return false;
      }
      return true;
    },
  };
}

/** True when the last segment of a source path is a glob ("/in/*.csv"), not a plain name. */
export function isGlobSegment(segment: string): boolean {
  return picomatch.scan(segment).isGlob;
}

/** A matcher for one glob segment against names in one folder (dot files only when the glob says so). */
export function segmentMatcher(glob: string): (name: string) => boolean {
  return picomatch(glob, { dot: false });
}
