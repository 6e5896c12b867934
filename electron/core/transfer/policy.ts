import type { ConflictPolicy, JobSpec } from '../../../shared/transfers';

/** What is known of a file on one side: enough to compare without reading it. */
export interface FileFacts {
  size: number;
  modified: string | null;
  hashes?: Record<string, string>;
}

export type FileAction = 'copy' | 'overwrite' | 'resume' | 'rename' | 'skip' | 'conflict';

export interface Decision {
  action: FileAction;
  reason?: string;
}

export interface DecideInput {
  kind: JobSpec['kind'];
  policy: ConflictPolicy;
  src: FileFacts;
  /** The destination file under the final name, or null when absent. */
  dst: FileFacts | null;
  /** Size of a partial temp file Ferry left next to the destination, or null. */
  partialSize: number | null;
  /** Both sides allow continuing a partial file (ranged read, resumable write, rename). */
  canResume: boolean;
  /** Modification times closer than this (ms) count as equal: the coarser side's precision. */
  toleranceMs: number;
}

/** Why the source differs from the destination (size, newer time, different hash), or null when it does not. */
export function changeReason(src: FileFacts, dst: FileFacts, toleranceMs: number): string | null {
  if (src.size !== dst.size) return `size differs (${src.size} vs ${dst.size} bytes)`;
  for (const [type, value] of Object.entries(src.hashes ?? {})) {
    const other = dst.hashes?.[type];
    if (other && other.toLowerCase() !== value.toLowerCase()) return `${type} differs`;
  }
  if (src.modified && dst.modified && Date.parse(src.modified) > Date.parse(dst.modified) + toleranceMs) {
    return 'source is newer';
  }
  return null;
}

/**
 * Whether the destination is the same file as the source by what both sides report: size, a modification
 * time within the tolerance either way (a copy whose time the writer set), and every hash both know.
 */
export function sameFile(src: FileFacts, dst: FileFacts, toleranceMs: number): boolean {
  if (src.size !== dst.size || !src.modified || !dst.modified) return false;
  if (Math.abs(Date.parse(src.modified) - Date.parse(dst.modified)) > toleranceMs) return false;
  return Object.entries(src.hashes ?? {}).every(([type, value]) => !dst.hashes?.[type] || dst.hashes[type].toLowerCase() === value.toLowerCase());
}

/**
 * The one place the conflict policy becomes an action, used when planning, when the destination changed
 * between plan and run, and when the user resolves a conflict. Sync copies only new and changed files; its
 * policy then says what to do with a changed one.
 */
export function decide(d: DecideInput): Decision {
  const { src, dst } = d;
  if (!dst) {
    if (d.policy === 'resume' && d.canResume && d.partialSize !== null && d.partialSize > 0 && d.partialSize < src.size) {
      return { action: 'resume', reason: `continue a partial file at ${d.partialSize} bytes` };
    }
    return { action: 'copy' };
  }
  const changed = changeReason(src, dst, d.toleranceMs);
  if (d.kind === 'sync' && !changed) return { action: 'skip', reason: 'unchanged' };
  switch (d.policy) {
    case 'ask':
      return { action: 'conflict', reason: changed ? `exists, ${changed}` : 'exists' };
    case 'overwrite':
      return { action: 'overwrite', reason: changed ?? 'exists' };
    case 'if-changed':
      return changed ? { action: 'overwrite', reason: changed } : { action: 'skip', reason: 'unchanged' };
    case 'skip':
      return { action: 'skip', reason: 'exists' };
    case 'rename':
      return { action: 'rename', reason: 'exists' };
    case 'resume': {
      const partial = d.partialSize ?? dst.size;
      if (d.canResume && partial > 0 && partial < src.size) return { action: 'resume', reason: `continue at ${partial} bytes` };
      if (dst.size === src.size && !changed) return { action: 'skip', reason: 'already complete' };
      return { action: 'overwrite', reason: d.canResume ? 'cannot continue: the destination is not a shorter copy' : 'the destination cannot continue a partial file' };
    }
  }
}
