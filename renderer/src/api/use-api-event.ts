import { useEffect, useRef } from 'react';
import type { EventName, EventPayload } from '../../../shared/api';
import { api } from './client';

/** Subscribes to a core event for the component's lifetime; the latest listener is always the one called. */
export function useApiEvent<E extends EventName>(event: E, listener: (payload: EventPayload<E>) => void): void {
  const ref = useRef(listener);
  ref.current = listener;
  useEffect(() => api.on(event, (p) => ref.current(p)), [event]);
}
