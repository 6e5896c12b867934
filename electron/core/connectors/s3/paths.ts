import { normalizePath, segments } from '../../../../shared/paths';

/**
 * Where a Ferry path points in S3. Without a fixed bucket, "/" is the account (its buckets are folders) and
 * "/bucket/a/b.csv" is key "a/b.csv"; with one, "/a/b.csv" is that key in the fixed bucket.
 * `bucket` undefined means the account root; `key` '' means the bucket's top level.
 */
export interface Location {
  bucket: string | undefined;
  key: string;
}

export function locate(path: string, fixedBucket: string | undefined): Location {
  const parts = segments(path);
  if (fixedBucket) return { bucket: fixedBucket, key: parts.join('/') };
  return { bucket: parts[0], key: parts.slice(1).join('/') };
}

/** The Ferry path of a key (a "prefix/" folder key loses its trailing slash). */
export function pathOf(bucket: string, key: string, fixedBucket: string | undefined): string {
  const k = key.endsWith('/') ? key.slice(0, -1) : key;
  return normalizePath(fixedBucket ? `/${k}` : `/${bucket}/${k}`);
}

/** The listing prefix of a folder: '' at a bucket's top level, "a/b/" below it. */
export function folderPrefix(key: string): string {
  return key === '' ? '' : `${key}/`;
}

/**
 * x-amz-copy-source: "bucket/key", URL-encoded as Go's url.PathEscape does it (as rclone sends it), leaving
 * "/" between segments and `$&+,:;=@` as they are. Some servers decode it with decodeURI, which would not
 * turn %2B or %3D back; '?' and '#' must be encoded for every server.
 */
export function copySource(bucket: string, key: string): string {
  return `${bucket}/${key.split('/').map(pathEscape).join('/')}`;
}

function pathEscape(segment: string): string {
  return encodeURIComponent(segment).replace(/%(24|26|2B|2C|3A|3B|3D|40)/g, (m) => decodeURIComponent(m));
}
