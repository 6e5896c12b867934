/**
 * POSIX-style remote paths, as every connector sees them: absolute, '/'-separated, no trailing slash
 * (except the root "/"). Pure functions: shared by the core, the CLI and the renderer.
 */

/** An empty, "." or ".." segment (or a trailing slash): a path without one is normal already. */
const NOT_NORMAL = /\/\.{0,2}(?:\/|$)/;

export function normalizePath(p: string): string {
  // Most paths are normal already, and a job of many files asks for thousands: no split and join for those.
  if (p.charCodeAt(0) === 47 && (p.length === 1 || !NOT_NORMAL.test(p))) return p;
  const parts: string[] = [];
  for (const seg of p.split('/')) {
    if (seg === '' || seg === '.') continue;
    if (seg === '..') parts.pop();
    else parts.push(seg);
  }
  return '/' + parts.join('/');
}

export function joinPath(dir: string, ...names: string[]): string {
  return normalizePath([dir, ...names].join('/'));
}

export function dirname(p: string): string {
  const n = normalizePath(p);
  const i = n.lastIndexOf('/');
  return i <= 0 ? '/' : n.slice(0, i);
}

export function basename(p: string): string {
  const n = normalizePath(p);
  return n.slice(n.lastIndexOf('/') + 1);
}

/** Splits "/a/b/c" into ["a","b","c"]. */
export function segments(p: string): string[] {
  return normalizePath(p).split('/').filter(Boolean);
}

/**
 * Why a single name (one path segment) coming from a remote listing must not be used to build a
 * destination path, or null when it is safe. Names that would escape the destination folder are refused.
 */
export function unsafeNameReason(name: string): string | null {
  if (name === '' ) return 'empty name';
  if (name === '.' || name === '..') return `"${name}" would leave the destination folder`;
  if (name.includes('/')) return 'name contains "/"';
  if (name.includes('\\')) return 'name contains "\\"';
  if (name.includes('\0')) return 'name contains a NUL byte';
  if (/^[a-zA-Z]:/.test(name)) return 'name looks like a drive path';
  return null;
}

/** True when `child` is `parent` or lies inside it (both normalized). */
export function isInside(parent: string, child: string): boolean {
  const p = normalizePath(parent);
  const c = normalizePath(child);
  if (p === '/') return true;
  return c === p || c.startsWith(p + '/');
}
