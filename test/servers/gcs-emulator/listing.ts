import { GcsHttpError } from './http';
import type { StoredBucket, StoredObject } from './store';

/**
 * objects.list and buckets.list paging, as the JSON API documents it: names in lexicographic order of
 * their UTF-8 bytes; with a delimiter, names that continue past it collapse into `prefixes`; `maxResults`
 * bounds items + prefixes together; the server may return fewer (here at most `pageCap`) and says so with
 * `nextPageToken`.
 */

export interface ObjectPage {
  items: StoredObject[];
  prefixes: string[];
  nextPageToken?: string;
}

/** Where the next page resumes: after `after`, and past every name under `skipPrefix`. */
interface Cursor {
  after: string;
  skipPrefix?: string;
}

function encodeToken(c: Cursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decodeToken(t: string | null): Cursor | undefined {
  if (!t) return undefined;
  try {
    const c = JSON.parse(Buffer.from(t, 'base64url').toString('utf8')) as Cursor;
    if (typeof c.after === 'string') return c;
  } catch {
    /* falls through */
  }
  throw new GcsHttpError(400, 'invalid', 'Invalid page token.');
}

export function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function pageSize(q: URLSearchParams, pageCap: number): number {
  const raw = q.get('maxResults');
  if (raw === null) return pageCap;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 0) throw new GcsHttpError(400, 'invalid', `Invalid value for maxResults: ${raw}`);
  return Math.min(n === 0 ? pageCap : n, pageCap);
}

export function listObjects(bucket: StoredBucket, q: URLSearchParams, pageCap: number): ObjectPage {
  const prefix = q.get('prefix') ?? '';
  const delimiter = q.get('delimiter') ?? '';
  const includeTrailing = q.get('includeTrailingDelimiter') === 'true';
  const startOffset = q.get('startOffset') ?? '';
  const endOffset = q.get('endOffset') ?? '';
  const max = pageSize(q, pageCap);
  const cursor = decodeToken(q.get('pageToken'));

  const names = [...bucket.objects.keys()]
    .filter((n) => n.startsWith(prefix))
    .filter((n) => (!startOffset || byUtf8(n, startOffset) >= 0) && (!endOffset || byUtf8(n, endOffset) < 0))
    .sort(byUtf8);

  const items: StoredObject[] = [];
  const prefixes: string[] = [];
  let count = 0;
  let last: Cursor | undefined;
  for (const name of names) {
    if (cursor && (byUtf8(name, cursor.after) <= 0 || (cursor.skipPrefix && name.startsWith(cursor.skipPrefix)))) continue;
    const rest = name.slice(prefix.length);
    const cut = delimiter ? rest.indexOf(delimiter) : -1;
    if (cut >= 0) {
      const p = prefix + rest.slice(0, cut + delimiter.length);
      if (last?.skipPrefix === p) {
        // Same collapsed prefix as the entry before: already counted.
        if (includeTrailing && name === p) items.push(bucket.objects.get(name)!);
        continue;
      }
      if (count === max) return { items, prefixes, nextPageToken: encodeToken(last!) };
      prefixes.push(p);
      if (includeTrailing && name === p) items.push(bucket.objects.get(name)!);
      count++;
      last = { after: name, skipPrefix: p };
    } else {
      if (count === max) return { items, prefixes, nextPageToken: encodeToken(last!) };
      items.push(bucket.objects.get(name)!);
      count++;
      last = { after: name };
    }
  }
  return { items, prefixes };
}

export function listBuckets(all: Iterable<StoredBucket>, q: URLSearchParams, pageCap: number): { items: StoredBucket[]; nextPageToken?: string } {
  const prefix = q.get('prefix') ?? '';
  const max = pageSize(q, pageCap);
  const cursor = decodeToken(q.get('pageToken'));
  const sorted = [...all]
    .filter((b) => b.name.startsWith(prefix) && (!cursor || byUtf8(b.name, cursor.after) > 0))
    .sort((a, b) => byUtf8(a.name, b.name));
  if (sorted.length <= max) return { items: sorted };
  const items = sorted.slice(0, max);
  return { items, nextPageToken: encodeToken({ after: items[items.length - 1].name }) };
}
