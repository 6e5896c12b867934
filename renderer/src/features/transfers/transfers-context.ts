import { createContext } from 'react';

export interface TransferRequest {
  kind: 'copy' | 'move';
  source: { endpoint: string; paths: string[] };
  destination: { endpoint: string; path: string };
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
  /** Plans the copy or move, asks about conflicts if any, then queues the job. */
  start(req: TransferRequest): Promise<void>;
  openSync(req: SyncRequest): void;
  /** Opens the decision dialog of a job waiting on a conflict. */
  resolveJob(jobId: string): void;
}

export const TransfersContext = createContext<TransfersApi | null>(null);
