import { invalidate } from './query-cache';

/** Refetches every folder listing on screen of this endpoint (both panes may show it). */
export function refreshEndpoint(endpoint: string): void {
  invalidate('fs.list', (i) => i.endpoint === endpoint);
}
