import type { FerryBridge } from '../../../shared/api';
import { ConnectionStatusStore } from './connection-status';
import { createWsBridge } from './ws-bridge';

declare global {
  interface Window {
    /** Exposed by the Electron preload; absent in a browser talking to `ferry serve`. */
    ferry?: FerryBridge;
  }
}

function pick(): { bridge: FerryBridge; status: ConnectionStatusStore; retryNow: () => void } {
  if (window.ferry) return { bridge: window.ferry, status: new ConnectionStatusStore({ state: 'open' }), retryNow: () => {} };
  const ws = createWsBridge();
  return { bridge: ws, status: ws.status, retryNow: () => ws.retryNow() };
}

/** The one transport of this renderer: the preload inside Electron, else a WebSocket to `ferry serve`. */
export const { bridge, status: connectionStatus, retryNow } = pick();
