import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import type { FerryBridge } from '../../shared/api';
import { API_EVENTS, API_METHODS, IPC_CALL, IPC_EVENT } from '../../shared/api-names';

/**
 * The only thing the renderer gets: window.ferry, a typed call/on over two IPC channels. No ipcRenderer,
 * no Node. Method and event names are checked here and again (with the input schemas) in the main process.
 */
const methods = new Set<string>(API_METHODS);
const events = new Set<string>(API_EVENTS);

const bridge: FerryBridge = {
  call: (method, input) => {
    if (!methods.has(method)) return Promise.resolve({ ok: false, error: { code: 'INVALID_INPUT', message: `Unknown method ${method}`, retryable: false } });
    return ipcRenderer.invoke(IPC_CALL, method, input);
  },
  on: (event, listener) => {
    if (!events.has(event)) return () => {};
    const handler = (_e: IpcRendererEvent, name: string, payload: unknown) => {
      if (name === event) listener(payload as never);
    };
    ipcRenderer.on(IPC_EVENT, handler);
    return () => ipcRenderer.off(IPC_EVENT, handler);
  },
};

contextBridge.exposeInMainWorld('ferry', bridge);
