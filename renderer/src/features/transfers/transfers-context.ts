import { createContext } from 'react';
import type { ConflictPolicy, JobSpecInput } from '../../../../shared/transfers';

export interface TransferRequest {
  /** convert: an export (a table to a file) or a load (a file into a table), with `convert` set. */
  kind: 'copy' | 'move' | 'convert';
  source: { endpoint: string; paths: string[] };
  destination: { endpoint: string; path: string };
  convert?: JobSpecInput['convert'];
  /** 'ask' unless given: a load says 'overwrite', since its mode decides what happens to a table that is there. */
  conflict?: ConflictPolicy;
}

export interface SyncSide {
  endpoint: string;
  path: string;
  label: string;
}

export interface SyncRequest {
  source: SyncSide;
  destination: SyncSide;
}

export interface TransfersApi {
  /** Plans the copy, move, export or load, asks about conflicts if any, then queues the job. False when planning failed (notified). */
  start(req: TransferRequest): Promise<boolean>;
  openSync(req: SyncRequest): void;
  /** Opens the decision dialog of a job waiting on a conflict. */
  resolveJob(jobId: string): void;
}

export const TransfersContext = createContext<TransfersApi | null>(null);
