import type {
  CallResult,
  EventName,
  EventPayload,
  FerryBridge,
  MethodInput,
  MethodName,
  MethodOutput,
  WsMessage,
} from '../../../shared/api';
import { ConnectionStatusStore } from './connection-status';

const TOKEN_KEY = 'ferry.token';
const PROTOCOL = 'ferry.v1';
const MIN_BACKOFF_MS = 500;
const MAX_BACKOFF_MS = 10_000;

/**
 * The token comes once in the URL fragment (`#token=...`, never sent to the server in a request line).
 * It is kept in sessionStorage for reloads of this tab and removed from the visible URL so it does not
 * end up in screenshots, bookmarks or the history.
 */
export function takeToken(): string | null {
  const params = new URLSearchParams(location.hash.replace(/^#/, ''));
  const fromHash = params.get('token');
  if (fromHash) {
    sessionStorage.setItem(TOKEN_KEY, fromHash);
    history.replaceState(null, '', location.pathname + location.search);
    return fromHash;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

type Pending = { method: string; input: unknown; resolve: (r: CallResult<unknown>) => void; sent: boolean };

/** The browser-side transport for `ferry serve`: JSON calls and events over one WebSocket, reconnecting with backoff. */
export class WsBridge implements FerryBridge {
  readonly status: ConnectionStatusStore;
  private socket: WebSocket | null = null;
  private nextId = 1;
  private pending = new Map<number, Pending>();
  private listeners = new Map<string, Set<(payload: unknown) => void>>();
  private attempt = 0;
  private everOpened = false;
  private retryTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(private readonly url: string, private readonly token: string | null) {
    this.status = new ConnectionStatusStore(token ? { state: 'connecting', attempt: 0, everOpened: false } : { state: 'no-token' });
    if (token) this.connect();
  }

  call<M extends MethodName>(method: M, input: MethodInput<M>): Promise<CallResult<MethodOutput<M>>> {
    return new Promise((resolve) => {
      const id = this.nextId++;
      const p: Pending = { method, input, resolve: resolve as Pending['resolve'], sent: false };
      this.pending.set(id, p);
      this.send(id, p);
    });
  }

  on<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): () => void {
    let set = this.listeners.get(event);
    if (!set) this.listeners.set(event, (set = new Set()));
    const l = listener as (payload: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** Skips the backoff wait (the "Try again" button). */
  retryNow(): void {
    if (!this.token || this.socket) return;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = null;
    this.connect();
  }

  private send(id: number, p: Pending): void {
    if (this.socket?.readyState !== WebSocket.OPEN) return; // flushed on open
    this.socket.send(JSON.stringify({ id, method: p.method, input: p.input }));
    p.sent = true;
  }

  private connect(): void {
    this.status.set({ state: 'connecting', attempt: this.attempt, everOpened: this.everOpened });
    const ws = new WebSocket(this.url, [PROTOCOL, 'token.' + this.token]);
    this.socket = ws;
    ws.onopen = () => {
      this.attempt = 0;
      this.everOpened = true;
      this.status.set({ state: 'open' });
      for (const [id, p] of this.pending) if (!p.sent) this.send(id, p);
    };
    ws.onmessage = (ev) => this.receive(ev.data);
    ws.onclose = (ev) => this.closed(ev);
  }

  private receive(data: unknown): void {
    let msg: WsMessage;
    try {
      msg = JSON.parse(String(data)) as WsMessage;
    } catch {
      return;
    }
    if (msg.type === 'result') {
      const p = this.pending.get(msg.id);
      if (!p) return;
      this.pending.delete(msg.id);
      p.resolve(msg.result);
    } else if (msg.type === 'event') {
      for (const l of this.listeners.get(msg.event) ?? []) l(msg.payload);
    }
  }

  private closed(ev: CloseEvent): void {
    this.socket = null;
    // Calls already sent may or may not have run: say so instead of silently re-sending them.
    for (const [id, p] of this.pending) {
      if (!p.sent) continue;
      this.pending.delete(id);
      p.resolve({
        ok: false,
        error: { code: 'CONNECTION_LOST', message: `Lost the connection to Ferry while "${p.method}" was running`, retryable: true },
      });
    }
    const retryInMs = Math.min(MAX_BACKOFF_MS, MIN_BACKOFF_MS * 2 ** this.attempt);
    this.attempt++;
    const reason = ev.reason || (this.everOpened ? 'the connection closed' : 'the server did not accept the connection');
    this.status.set({ state: 'waiting', retryInMs, everOpened: this.everOpened, reason });
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect();
    }, retryInMs);
  }
}

export function createWsBridge(): WsBridge {
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  return new WsBridge(`${scheme}://${location.host}/api`, takeToken());
}
