import { segments } from '../../../../shared/paths';

/**
 * Where a Ferry path points in GCS. Without a fixed bucket, "/" is the project's list of buckets and
 * "/bucket/a/b" the object (or prefix) "a/b" of "bucket". With a fixed bucket, "/" is that bucket's top.
 * Object names are the path's segments joined by "/", exactly (no encoding: the SDK encodes per request).
 */
export interface Location {
  /** null: the list of buckets (no bucket chosen yet). */
  bucket: string | null;
  /** Object name or prefix without a trailing "/"; '' at a bucket's top. */
  key: string;
}

export function locate(path: string, fixedBucket?: string): Location {
  const segs = segments(path);
  if (fixedBucket) return { bucket: fixedBucket, key: segs.join('/') };
  if (segs.length === 0) return { bucket: null, key: '' };
  return { bucket: segs[0], key: segs.slice(1).join('/') };
}

/** The prefix that lists a folder's content: '' at a bucket's top, "a/b/" below. */
export function folderPrefix(key: string): string {
  return key ? key + '/' : '';
}
