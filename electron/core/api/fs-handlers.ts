import type { ApiHandlers } from '../../../shared/api';
import type { Entry } from '../../../shared/connectors';
import { normalizePath, segments } from '../../../shared/paths';
import type { Connector } from '../connectors/types';
import type { EndpointProvider } from '../endpoints';
import { FerryError } from '../errors';

/** Runs one operation on a pooled connector; a connection that broke is not returned to the pool. */
export async function withConnector<T>(endpoints: EndpointProvider, endpoint: string, f: (c: Connector) => Promise<T>): Promise<T> {
  const lease = await endpoints.acquire(endpoint);
  try {
    const r = await f(lease.connector);
    lease.release();
    return r;
  } catch (e) {
    lease.release(e instanceof FerryError && (e.code === 'CONNECTION_LOST' || e.code === 'TIMEOUT'));
    throw e;
  }
}

/** A database schema's tables and views, with their kind and row estimate where the store gives them. */
async function withTableFacts(c: Connector, path: string, entries: Entry[]): Promise<Entry[]> {
  const [schema, ...rest] = segments(path);
  if (!c.tables?.tableFacts || schema === undefined || rest.length > 0) return entries;
  const facts = await c.tables.tableFacts(schema);
  return entries.map((e) => {
    const table = facts.get(e.name);
    return table && e.type === 'file' ? { ...e, table } : e;
  });
}

type FsHandlers = Pick<ApiHandlers, 'fs.home' | 'fs.list' | 'fs.stat' | 'fs.mkdir' | 'fs.remove' | 'fs.rename'>;

export function fsHandlers(endpoints: EndpointProvider): FsHandlers {
  const ok = { ok: true } as const;
  return {
    'fs.home': ({ endpoint }) => withConnector(endpoints, endpoint, async (c) => ({ path: await c.home() })),
    'fs.list': ({ endpoint, path }) =>
      withConnector(endpoints, endpoint, async (c) => {
        const p = normalizePath(path);
        return { path: p, entries: await withTableFacts(c, p, await c.list(p)) };
      }),
    'fs.stat': ({ endpoint, path }) => withConnector(endpoints, endpoint, (c) => c.stat(normalizePath(path))),
    'fs.mkdir': ({ endpoint, path }) => withConnector(endpoints, endpoint, async (c) => (await c.mkdir(normalizePath(path)), ok)),
    'fs.remove': ({ endpoint, paths, recursive }) =>
      withConnector(endpoints, endpoint, async (c) => {
        for (const raw of paths) {
          const p = normalizePath(raw);
          if (p === '/') throw new FerryError('INVALID_INPUT', 'Refusing to delete the root folder');
          const e = await c.stat(p);
          if (e.type === 'dir') await c.rmdir(p, { recursive });
          else await c.remove(p);
        }
        return ok;
      }),
    'fs.rename': ({ endpoint, from, to }) =>
      withConnector(endpoints, endpoint, async (c) => {
        if (!c.rename) {
          throw new FerryError('UNSUPPORTED', `${endpoints.label(endpoint)} cannot rename (its connector does not declare rename)`);
        }
        await c.rename(normalizePath(from), normalizePath(to));
        return ok;
      }),
  };
}
