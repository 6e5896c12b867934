import { useCallback, useEffect, useRef, useState } from 'react';
import type { JobFile } from '../../../../shared/transfers';
import { api } from '../../api/client';
import { toClientError, type FerryClientError } from '../../api/errors';
import { jobsStore } from './jobs-store';

const NEEDS_DETAIL = new Set(['failed', 'conflict']);

/**
 * One job's files (for its expanded list): fetched with jobs.get, then patched by jobs.progress.
 * A file that fails or hits a conflict triggers a refetch, since only jobs.get carries the error.
 */
export function useJobFiles(jobId: string, jobState: string) {
  const [files, setFilesState] = useState<JobFile[] | null>(null);
  const filesRef = useRef<JobFile[] | null>(null);
  const setFiles = useCallback((f: JobFile[] | null) => {
    filesRef.current = f;
    setFilesState(f);
  }, []);
  const [error, setError] = useState<FerryClientError | null>(null);
  const refetchTimer = useRef<ReturnType<typeof setTimeout> | null>(null);

  const load = useCallback(() => {
    api.call('jobs.get', { id: jobId }).then(
      (r) => {
        setFiles(r.files);
        setError(null);
      },
      (e) => setError(toClientError(e)),
    );
  }, [jobId, setFiles]);

  useEffect(load, [load, jobState]);

  useEffect(
    () =>
      jobsStore.onFiles(jobId, (updates) => {
        const cur = filesRef.current;
        if (!cur) return;
        let refetch = false;
        const next = cur.slice();
        for (const u of updates) {
          // idx is the file's position in the job; fall back to a search if the list is not dense.
          const at = next[u.idx]?.idx === u.idx ? u.idx : next.findIndex((f) => f.idx === u.idx);
          if (at < 0) continue;
          if (NEEDS_DETAIL.has(u.state) && next[at].state !== u.state) refetch = true;
          next[at] = { ...next[at], ...u };
        }
        setFiles(next);
        if (refetch && !refetchTimer.current) {
          refetchTimer.current = setTimeout(() => {
            refetchTimer.current = null;
            load();
          }, 400);
        }
      }),
    [jobId, load, setFiles],
  );

  useEffect(() => () => clearTimeout(refetchTimer.current ?? undefined), []);

  return { files, error, reload: load };
}
