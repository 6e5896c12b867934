import { useCallback, useEffect, useState } from 'react';
import { LOCAL_ENDPOINT } from '../../../../shared/connectors';
import { dirname, normalizePath } from '../../../../shared/paths';
import { api } from '../../api/client';
import { toClientError, type FerryClientError } from '../../api/errors';

export type PaneId = 'left' | 'right';

export interface PaneLocation {
  endpoint: string;
  /** Null while the endpoint's home folder is being asked for. */
  path: string | null;
}

const storageKey = (id: PaneId) => `ferry.pane.${id}`;

function load(id: PaneId): PaneLocation {
  try {
    const v = JSON.parse(localStorage.getItem(storageKey(id)) ?? 'null') as PaneLocation | null;
    if (v && typeof v.endpoint === 'string') return { endpoint: v.endpoint, path: typeof v.path === 'string' ? v.path : null };
  } catch {
    // a damaged entry: start at home
  }
  return { endpoint: LOCAL_ENDPOINT, path: null };
}

/** Where a pane is (endpoint + folder), remembered across reloads; a new endpoint opens at its home folder. */
export function usePaneLocation(id: PaneId) {
  const [loc, setLoc] = useState<PaneLocation>(() => load(id));
  // Set when the endpoint's home folder could not be asked for (cannot connect): the pane shows it.
  const [homeError, setHomeError] = useState<FerryClientError | null>(null);
  const [homeAttempt, setHomeAttempt] = useState(0);

  useEffect(() => {
    localStorage.setItem(storageKey(id), JSON.stringify(loc));
  }, [id, loc]);

  // Resolve the home folder when the path is unknown (first start, endpoint switched).
  useEffect(() => {
    if (loc.path !== null) return;
    let live = true;
    setHomeError(null);
    api.call('fs.home', { endpoint: loc.endpoint }).then(
      (r) => live && setLoc((cur) => (cur.endpoint === loc.endpoint && cur.path === null ? { ...cur, path: r.path } : cur)),
      (e) => live && setHomeError(toClientError(e)),
    );
    return () => {
      live = false;
    };
  }, [loc.endpoint, loc.path, homeAttempt]);

  const navigate = useCallback((path: string) => setLoc((cur) => ({ ...cur, path: normalizePath(path) })), []);
  const setEndpoint = useCallback((endpoint: string) => setLoc((cur) => (cur.endpoint === endpoint ? cur : { endpoint, path: null })), []);
  const goUp = useCallback(() => setLoc((cur) => (cur.path && cur.path !== '/' ? { ...cur, path: dirname(cur.path) } : cur)), []);

  const retryHome = useCallback(() => setHomeAttempt((n) => n + 1), []);

  return { ...loc, homeError: loc.path === null ? homeError : null, retryHome, navigate, setEndpoint, goUp };
}
