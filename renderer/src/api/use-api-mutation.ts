import { useCallback, useRef, useState } from 'react';
import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import { notifyError } from '../components/notify';
import { api } from './client';
import { toClientError, type FerryClientError } from './errors';

export interface MutationOptions<M extends MethodName> {
  onSuccess?: (result: MethodOutput<M>, input: MethodInput<M>) => void;
  /** Show a notification on failure (default true). */
  notify?: boolean;
}

export interface MutationResult<M extends MethodName> {
  /** Resolves with the result, or undefined when it failed (the error is in `error` and was notified). */
  run: (input: MethodInput<M>) => Promise<MethodOutput<M> | undefined>;
  loading: boolean;
  error: FerryClientError | null;
  reset: () => void;
}

/** An API call that changes something, run on demand. */
export function useApiMutation<M extends MethodName>(method: M, opts: MutationOptions<M> = {}): MutationResult<M> {
  const [loading, setLoading] = useState(false);
  const [error, setError] = useState<FerryClientError | null>(null);
  const optsRef = useRef(opts);
  optsRef.current = opts;

  const run = useCallback(
    async (input: MethodInput<M>) => {
      setLoading(true);
      setError(null);
      try {
        const result = await api.call(method, input);
        optsRef.current.onSuccess?.(result, input);
        return result;
      } catch (e) {
        const err = toClientError(e);
        setError(err);
        if (optsRef.current.notify !== false) notifyError(err);
        return undefined;
      } finally {
        setLoading(false);
      }
    },
    [method],
  );

  return { run, loading, error, reset: useCallback(() => setError(null), []) };
}
