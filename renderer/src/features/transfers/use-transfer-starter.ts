import { useCallback, useState } from 'react';
import type { Plan } from '../../../../shared/transfers';
import { api } from '../../api/client';
import { formatBytes, plural } from '../../components/format';
import { notifyError, notifyInfo } from '../../components/notify';
import { jobsStore } from './jobs-store';
import type { ChosenPolicy } from './policies';
import type { TransferRequest } from './transfers-context';

const VERB = { copy: 'Copy', move: 'Move', sync: 'Sync', convert: 'Convert' } as const;

/** "Load" for a convert into a table, else the job kind's verb. */
const verbOf = (spec: Plan['spec']) => (spec.convert?.load ? 'Load' : VERB[spec.kind]);

/** Queues exactly the plan that was made (and shown when it had conflicts). */
async function createFromPlan(plan: Plan): Promise<void> {
  if (plan.items.every((i) => i.action === 'skip')) {
    return notifyInfo(`Nothing to ${verbOf(plan.spec).toLowerCase()}`, 'No file needs to be transferred.');
  }
  const job = await api.call('jobs.create', { planId: plan.id });
  jobsStore.upsert(job);
  notifyInfo(`${verbOf(plan.spec)} queued`, `${job.title}: ${plural(job.totalFiles, 'file')}, ${formatBytes(job.totalBytes)}`);
}

/**
 * Copy / Move / Convert: plan with policy "ask" (unless the request names one); when the plan finds files that already exist, hold it for the
 * conflict dialog. "Apply to all" re-plans with the chosen policy; otherwise the job asks per file.
 */
export function useTransferStarter() {
  const [pending, setPending] = useState<Plan | null>(null);
  const [busy, setBusy] = useState(false);

  const start = useCallback(async (req: TransferRequest): Promise<boolean> => {
    if (req.source.paths.length === 0) return false;
    setBusy(true);
    try {
      const plan = await api.call('jobs.plan', { conflict: 'ask', ...req });
      if (plan.totals.conflicts > 0) setPending(plan);
      else await createFromPlan(plan);
      return true;
    } catch (e) {
      notifyError(e, `Could not ${req.kind}`);
      return false;
    } finally {
      setBusy(false);
    }
  }, []);

  const resolvePending = useCallback(
    async (policy: ChosenPolicy, applyToAll: boolean) => {
      if (!pending) return;
      setBusy(true);
      try {
        const plan = applyToAll ? await api.call('jobs.plan', { ...pending.spec, conflict: policy }) : pending;
        await createFromPlan(plan);
        setPending(null);
      } catch (e) {
        notifyError(e, `Could not ${pending.spec.kind}`);
      } finally {
        setBusy(false);
      }
    },
    [pending],
  );

  return { start, pending, busy, resolvePending, cancelPending: useCallback(() => setPending(null), []) };
}
