import { useEffect, useState } from 'react';
import type { LoadPlan, LoadPlanRequest } from '../../../../shared/table';
import { api } from '../../api/client';
import { toClientError, type FerryClientError } from '../../api/errors';

/** How long the form must stay unchanged before the dry run is asked again (typing a name asks once). */
const SETTLE_MS = 300;

export interface LoadPlanState {
  plan: LoadPlan | null;
  error: FerryClientError | null;
  /** A dry run for the current form is under way (or about to be). */
  planning: boolean;
  /** The request the plan or error answers (the Load button needs it to match the form's). */
  answered: string | null;
}

/**
 * The load's dry run (table.loadPlan) for the mapping dialog's current request, asked again when the
 * request settles; answers to an older request are dropped. Null request: nothing to ask yet.
 */
export function useLoadPlan(request: LoadPlanRequest | null): LoadPlanState {
  const key = request ? JSON.stringify(request) : null;
  const [state, setState] = useState<LoadPlanState>({ plan: null, error: null, planning: false, answered: null });
  useEffect(() => {
    if (!key) {
      setState((s) => ({ ...s, planning: false }));
      return;
    }
    let current = true;
    setState((s) => ({ ...s, planning: true }));
    const timer = setTimeout(() => {
      api.call('table.loadPlan', JSON.parse(key) as LoadPlanRequest).then(
        (plan) => current && setState({ plan, error: null, planning: false, answered: key }),
        (e) => current && setState({ plan: null, error: toClientError(e), planning: false, answered: key }),
      );
    }, SETTLE_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [key]);
  return state;
}
