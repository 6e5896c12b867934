import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import { JobConflictDialog } from './JobConflictDialog';
import { PlanConflictDialog } from './PlanConflictDialog';
import { SyncDialog } from './SyncDialog';
import { TransfersContext, type SyncRequest, type TransfersApi } from './transfers-context';
import { useLiveJobs } from './use-live-jobs';
import { useTransferStarter } from './use-transfer-starter';

/** Owns the transfer dialogs (conflicts, sync) so the browser and the queue panel can open them. */
export function TransfersProvider({ children }: { children: ReactNode }) {
  const starter = useTransferStarter();
  const [sync, setSync] = useState<SyncRequest | null>(null);
  const [conflictJobId, setConflictJobId] = useState<string | null>(null);
  const jobs = useLiveJobs();
  const autoOpened = useRef(new Set<string>());

  // A job that stops to ask about a conflict opens its dialog once by itself; later from the queue's button.
  useEffect(() => {
    if (conflictJobId) return;
    const waiting = jobs.find((j) => j.state === 'waiting' && !autoOpened.current.has(j.id));
    if (waiting) {
      autoOpened.current.add(waiting.id);
      setConflictJobId(waiting.id);
    }
  }, [jobs, conflictJobId]);

  const api: TransfersApi = useMemo(
    () => ({ start: starter.start, openSync: setSync, resolveJob: setConflictJobId }),
    [starter.start],
  );
  const conflictJob = jobs.find((j) => j.id === conflictJobId);

  return (
    <TransfersContext.Provider value={api}>
      {children}
      <PlanConflictDialog plan={starter.pending} busy={starter.busy} onCancel={starter.cancelPending} onContinue={starter.resolvePending} />
      {sync && <SyncDialog request={sync} onClose={() => setSync(null)} />}
      {conflictJobId && (
        <JobConflictDialog
          jobId={conflictJobId}
          jobTitle={conflictJob?.title ?? ''}
          jobState={conflictJob?.state ?? ''}
          onClose={() => setConflictJobId(null)}
        />
      )}
    </TransfersContext.Provider>
  );
}
