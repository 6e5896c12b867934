import type { MethodInput, MethodName, MethodOutput } from '../../../shared/api';
import { api } from './client';
import { toClientError, type FerryClientError } from './errors';

export interface QuerySnapshot<T> {
  data: T | undefined;
  error: FerryClientError | null;
  /** A request is in flight (data may still hold the previous result). */
  loading: boolean;
  fetchedAt: number;
}

/** Unused entries are dropped after this, so visited 100k-entry folders do not pile up in memory. */
const GC_MS = 30_000;

/** One cached call result shared by every component asking for the same method + input. */
class QueryEntry<M extends MethodName> {
  snapshot: QuerySnapshot<MethodOutput<M>> = { data: undefined, error: null, loading: false, fetchedAt: 0 };
  private listeners = new Set<() => void>();
  private seq = 0;
  private gcTimer: ReturnType<typeof setTimeout> | null = null;
  stale = true;

  constructor(readonly key: string, readonly method: M, readonly input: MethodInput<M>, private readonly drop: () => void) {}

  get active(): boolean {
    return this.listeners.size > 0;
  }

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    if (this.gcTimer) clearTimeout(this.gcTimer);
    this.gcTimer = null;
    return () => {
      this.listeners.delete(listener);
      if (!this.active) this.gcTimer = setTimeout(this.drop, GC_MS);
    };
  };

  getSnapshot = (): QuerySnapshot<MethodOutput<M>> => this.snapshot;

  set(patch: Partial<QuerySnapshot<MethodOutput<M>>>): void {
    this.snapshot = { ...this.snapshot, ...patch };
    for (const l of this.listeners) l();
  }

  /** Runs the call; a newer fetch wins over an older one that answers late. */
  async fetch(): Promise<void> {
    const mine = ++this.seq;
    this.stale = false;
    this.set({ loading: true });
    try {
      const data = await api.call(this.method, this.input);
      if (mine === this.seq) this.set({ data, error: null, loading: false, fetchedAt: Date.now() });
    } catch (e) {
      if (mine === this.seq) this.set({ error: toClientError(e), loading: false, fetchedAt: Date.now() });
    }
  }
}

const entries = new Map<string, QueryEntry<MethodName>>();

export function queryKey(method: MethodName, input: unknown): string {
  return method + ' ' + JSON.stringify(input ?? {});
}

export function getEntry<M extends MethodName>(method: M, input: MethodInput<M>): QueryEntry<M> {
  const key = queryKey(method, input);
  let e = entries.get(key) as QueryEntry<M> | undefined;
  if (!e) {
    e = new QueryEntry(key, method, input, () => entries.delete(key));
    entries.set(key, e as unknown as QueryEntry<MethodName>);
  }
  return e;
}

/** Marks matching results stale and refetches those on screen (after a change the user made). */
export function invalidate<M extends MethodName>(method: M, match?: (input: MethodInput<M>) => boolean): void {
  for (const e of entries.values()) {
    if (e.method !== method || (match && !match(e.input as MethodInput<M>))) continue;
    e.stale = true;
    if (e.active) void e.fetch();
  }
}

/** Updates a cached result in place (an optimistic or event-driven change). */
export function setQueryData<M extends MethodName>(
  method: M,
  input: MethodInput<M>,
  update: (old: MethodOutput<M> | undefined) => MethodOutput<M>,
): void {
  const e = getEntry(method, input);
  e.set({ data: update(e.snapshot.data) });
}
