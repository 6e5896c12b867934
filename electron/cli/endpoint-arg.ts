import { LOCAL_ENDPOINT } from '../../shared/connectors';
import { joinPath, normalizePath } from '../../shared/paths';
import { resolve } from 'node:path';
import type { FerryCore } from '../core/app';
import { manifestFor } from '../core/connectors/manifest';

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
    const [schema, ...table] = rest.split('.');
    return { endpoint: profile.id, path: joinPath('/', schema ?? '', table.join('.')), label: arg, trailingSlash };
  }
  return { endpoint: profile.id, path: rest.startsWith('/') ? normalizePath(rest) : rest, label: arg, trailingSlash };
}

/** Like scp: a relative remote path ("prof:" or "prof:dir/x") is taken from the remote's home folder. */
export async function absolutize(core: FerryCore, ep: EndpointPath): Promise<EndpointPath> {
  if (ep.path.startsWith('/')) return ep;
  const { path: home } = await core.handlers['fs.home']({ endpoint: ep.endpoint });
  return { ...ep, path: joinPath(home, ep.path) };
}
