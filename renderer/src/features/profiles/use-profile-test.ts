import { useCallback, useState } from 'react';
import type { MethodInput } from '../../../../shared/api';
import type { TestResult } from '../../../../shared/profiles';
import { api } from '../../api/client';
import { FerryClientError, isErrorData, toClientError } from '../../api/errors';
import { INTERCEPTED_CODES, intercept } from '../../api/interceptor';

export interface TestState {
  running: boolean;
  result: TestResult | null;
  /** The step that failed, as an error (from result.error or the call itself). */
  error: FerryClientError | null;
}

/**
 * "Test connection". A test that stops on an unknown host key or a missing secret opens the same dialogs as
 * any call (the test returns its error as data, so it is intercepted here) and runs again once answered.
 */
export function useProfileTest() {
  const [state, setState] = useState<TestState>({ running: false, result: null, error: null });

  const run = useCallback(async (input: MethodInput<'profiles.test'>) => {
    setState({ running: true, result: null, error: null });
    try {
      for (let round = 0; ; round++) {
        const result = await api.call('profiles.test', input);
        const error = result.ok ? null : isErrorData(result.error) ? new FerryClientError(result.error) : toClientError(result.error ?? 'The test failed');
        if (error && round < 3 && INTERCEPTED_CODES.has(error.code) && (await intercept(error)) === 'retry') continue;
        setState({ running: false, result, error });
        return;
      }
    } catch (e) {
      setState({ running: false, result: null, error: toClientError(e) });
    }
  }, []);

  const reset = useCallback(() => setState({ running: false, result: null, error: null }), []);
  return { ...state, run, reset };
}
