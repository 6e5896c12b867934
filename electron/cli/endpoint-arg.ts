import { LOCAL_ENDPOINT } from '../../shared/endpoints';
import { joinPath, normalizePath } from '../../shared/paths';
import { resolve } from 'node:path';
import type { FerryCore } from '../core/app';
import { manifestFor } from '../core/connectors/manifest';
import { UsageError } from './output';

export interface EndpointPath {
  endpoint: string;
  /** Normalized connector path. */
  path: string;
  /** The user's words, for messages. */
  label: string;
  /** A path given with a trailing "/" names a folder explicitly. */
  trailingSlash: boolean;
}

/**
 * "PROFILE:PATH", "local:PATH", or a bare local path (relative to the working directory).
 * On Windows a drive ("C:\\x") is a local path, not a profile named C.
 */
export function parseEndpointPath(core: FerryCore, arg: string): EndpointPath {
  const m = /^([^:/\\]+):(.*)$/.exec(arg);
  const trailingSlash = arg.endsWith('/');
  if (m && process.platform === 'win32' && m[1].length === 1) {
    return { endpoint: LOCAL_ENDPOINT, path: normalizePath(resolve(arg)), label: arg, trailingSlash };
  }
  if (!m || m[1] === LOCAL_ENDPOINT) {
    const raw = m ? m[2] : arg;
    return { endpoint: LOCAL_ENDPOINT, path: normalizePath(resolve(raw || '.')), label: arg, trailingSlash };
  }
  const profile = core.profiles.resolve(m[1]);
  const rest = m[2];
  if (manifestFor(profile.type).tables && !rest.startsWith('/')) {
    // A database: "pg:" is its schemas, "pg:public" a schema, "pg:public.orders" a table.
    const names = rest.replace(/\/$/, '') ? splitQualifiedName(rest.replace(/\/$/, ''), arg) : [];
    return { endpoint: profile.id, path: names.length ? '/' + names.join('/') : '/', label: arg, trailingSlash };
  }
  return { endpoint: profile.id, path: rest.startsWith('/') ? normalizePath(rest) : rest, label: arg, trailingSlash };
}

/** Like scp: a relative remote path ("prof:" or "prof:dir/x") is taken from the remote's home folder. */
export async function absolutize(core: FerryCore, ep: EndpointPath): Promise<EndpointPath> {
  if (ep.path.startsWith('/')) return ep;
  const { path: home } = await core.handlers['fs.home']({ endpoint: ep.endpoint });
  return { ...ep, path: joinPath(home, ep.path) };
}

/**
 * `schema.table` split on its dots, where a name in double quotes may hold dots and `""` stands for one quote,
 * as in SQL: `"my.schema"."my.table"`, `public."order.lines"`. A bare name ends at the first dot. Names are
 * kept exactly (no case folding: Ferry always quotes identifiers). A name cannot be empty or hold a "/",
 * which separates a connector path's parts.
 */
export function splitQualifiedName(text: string, arg = text): string[] {
  const names: string[] = [];
  const bad = (why: string) => new UsageError(`${arg}: ${why} (quote a name that holds a dot: PROFILE:"my.schema"."my.table")`);
  let i = 0;
  for (;;) {
    let name = '';
    if (text[i] === '"') {
      for (i++; ; i++) {
        if (i >= text.length) throw bad('a quoted name is not closed');
        if (text[i] === '"') {
          if (text[i + 1] !== '"') break;
          i++;
        }
        name += text[i];
      }
      i++;
    } else {
      while (i < text.length && text[i] !== '.') {
        if (text[i] === '"') throw bad('a quote inside a bare name');
        name += text[i++];
      }
    }
    if (!name) throw bad('an empty name');
    if (name.includes('/') || name === '.' || name === '..') throw bad(`the name ${JSON.stringify(name)} cannot be addressed: it would read as a path`);
    names.push(name);
    if (i >= text.length) return names;
    if (text[i] !== '.') throw bad('a quoted name must be followed by a dot or the end');
    i++;
  }
}
