import { useCallback, useEffect, useMemo, useSyncExternalStore } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import { getEntry, queryKey, type QuerySnapshot } from './query-cache';

export interface QueryOptions {
  /** false: do not call yet (e.g. an input is not known). */
  enabled?: boolean;
  /** Refetch whenever a component starts showing it, even if cached (folder listings change behind our back). */
  refetchOnMount?: boolean;
}

export interface QueryResult<T> extends QuerySnapshot<T> {
  refetch: () => Promise<void>;
}

/** A cached, shared API read. Components asking for the same method + input share one request and result. */
export function useApiQuery<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  opts: QueryOptions = {},
): QueryResult<MethodOutput<M>> {
  const { enabled = true, refetchOnMount = false } = opts;
  const key = queryKey(method, input);
  // The key captures the input's value, so an inline object literal does not refetch on every render.
  const entry = useMemo(() => getEntry(method, input), [key]);
  const snapshot = useSyncExternalStore(entry.subscribe, entry.getSnapshot);

  useEffect(() => {
    if (!enabled) return;
    if (entry.stale || refetchOnMount) void entry.fetch();
  }, [entry, enabled, refetchOnMount]);

  const refetch = useCallback(() => entry.fetch(), [entry]);
  return { ...snapshot, refetch };
}
