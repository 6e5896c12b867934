import { ListObjectsCommand, ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';

export interface ListedObject {
  key: string;
  size: number;
  lastModified: Date | undefined;
  etag: string | undefined;
}

export interface ListPage {
  objects: ListedObject[];
  /** "a/b/" folder prefixes (only with a delimiter). */
  prefixes: string[];
}

export interface ListRequest {
  bucket: string;
  prefix: string;
  /** '/' to browse one level; undefined to walk every key under the prefix. */
  delimiter?: '/';
  pageSize: number;
  /** 2: ListObjectsV2 (continuation tokens); 1: the older ListObjects (markers), for servers without V2. */
  version: 1 | 2;
  signal?: AbortSignal;
}

/** Every page of a listing, fetched one after another as the caller consumes them. */
export async function* listPages(client: S3Client, req: ListRequest): AsyncGenerator<ListPage> {
  const base = { Bucket: req.bucket, Prefix: req.prefix || undefined, Delimiter: req.delimiter, MaxKeys: req.pageSize };
  const opts = { abortSignal: req.signal };
  if (req.version === 2) {
    let token: string | undefined;
    do {
      const r = await client.send(new ListObjectsV2Command({ ...base, ContinuationToken: token }), opts);
      yield page(r.Contents, r.CommonPrefixes);
      token = r.IsTruncated ? r.NextContinuationToken : undefined;
    } while (token);
    return;
  }
  let marker: string | undefined;
  for (;;) {
    const r = await client.send(new ListObjectsCommand({ ...base, Marker: marker }), opts);
    const p = page(r.Contents, r.CommonPrefixes);
    yield p;
    if (!r.IsTruncated) return;
    // NextMarker comes only with a delimiter; otherwise the last key is the marker (as the S3 docs say).
    const next = r.NextMarker ?? lastOf(p);
    if (!next || next === marker) return; // no progress: a server bug; stop rather than loop forever
    marker = next;
  }
}

function page(contents: Array<{ Key?: string; Size?: number; LastModified?: Date; ETag?: string }> | undefined, prefixes: Array<{ Prefix?: string }> | undefined): ListPage {
  return {
    objects: (contents ?? [])
      .filter((o) => o.Key !== undefined)
      .map((o) => ({ key: o.Key!, size: o.Size ?? 0, lastModified: o.LastModified, etag: o.ETag })),
    prefixes: (prefixes ?? []).map((p) => p.Prefix).filter((p): p is string => p !== undefined),
  };
}

/** The greatest of the page's last key and last prefix, in S3's order (UTF-8 bytes, not UTF-16 units). */
function lastOf(p: ListPage): string | undefined {
  const a = p.objects[p.objects.length - 1]?.key;
  const b = p.prefixes[p.prefixes.length - 1];
  if (a === undefined || b === undefined) return a ?? b;
  return Buffer.compare(Buffer.from(a), Buffer.from(b)) >= 0 ? a : b;
}

/** True when anything exists under the prefix (a folder marker or any key): one request for one key. */
export async function anyUnder(client: S3Client, bucket: string, prefix: string, version: 1 | 2, signal?: AbortSignal): Promise<boolean> {
  for await (const p of listPages(client, { bucket, prefix, pageSize: 1, version, signal })) {
    return p.objects.length > 0 || p.prefixes.length > 0;
  }
  return false;
}
