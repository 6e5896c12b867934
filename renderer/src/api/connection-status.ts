/**
 * The state of the link to the core, for the "not connected" screen. Inside Electron the link is the
 * preload and is always 'open'; in a browser it is the WebSocket to `ferry serve`.
 */
export type ConnectionStatus =
  | { state: 'open' }
  | { state: 'connecting'; attempt: number; everOpened: boolean }
  | { state: 'waiting'; retryInMs: number; everOpened: boolean; reason: string }
  | { state: 'no-token' };

type Listener = (s: ConnectionStatus) => void;

export class ConnectionStatusStore {
  private status: ConnectionStatus;
  private listeners = new Set<Listener>();

  constructor(initial: ConnectionStatus) {
    this.status = initial;
  }

  get = (): ConnectionStatus => this.status;

  set(status: ConnectionStatus): void {
    this.status = status;
    for (const l of this.listeners) l(status);
  }

  subscribe = (listener: Listener): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };
}
