import { useSyncExternalStore } from 'react';
import { jobsStore } from './jobs-store';

/** The queue's jobs, newest first, updated live from the core's events. */
export function useLiveJobs() {
  return useSyncExternalStore(jobsStore.subscribe, jobsStore.getSnapshot);
}
