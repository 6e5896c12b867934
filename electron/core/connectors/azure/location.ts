import { normalizePath, segments } from '../../../../shared/paths';

/**
 * Where a Ferry path lands in the account. Without a fixed container "/photos/2024/a.jpg" is container
 * "photos", blob "2024/a.jpg"; with one, the whole path is the blob name. `key` is '' for the top of a
 * container and `container` is null for the account's top level (the list of containers).
 */
export interface Location {
  path: string;
  container: string | null;
  key: string;
}

export function locate(path: string, fixedContainer: string | null): Location {
  const p = normalizePath(path);
  const parts = segments(p);
  if (fixedContainer) return { path: p, container: fixedContainer, key: parts.join('/') };
  if (parts.length === 0) return { path: p, container: null, key: '' };
  return { path: p, container: parts[0], key: parts.slice(1).join('/') };
}

/** The blob-name prefix of everything inside a folder ('' at the top of a container). */
export function folderPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}

/** The zero-byte blob that marks an (otherwise empty) folder, as Azure Storage Explorer and rclone write it. */
export function markerName(key: string): string {
  return `${key}/`;
}

/** Metadata that tells Azure tools (Storage Explorer, ADLS Gen2, Ferry) a blob is a folder. */
export const FOLDER_METADATA = { hdi_isfolder: 'true' } as const;

export function isFolderMetadata(metadata: Record<string, string> | undefined): boolean {
  return metadata?.hdi_isfolder?.toLowerCase() === 'true';
}
