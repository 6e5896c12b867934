import { useCallback, useEffect, useRef, useState } from 'react';
import { setErrorInterceptor } from '../../api/interceptor';
import { promptFor, promptKey, type Prompt } from './prompts';

type Answer = 'retry' | 'fail';

/**
 * After the user declines, calls that fail the same way right after (a listing that follows a failed home
 * lookup, the other pane) fail quietly instead of opening the same dialog again. A later "Try again" asks.
 */
const DECLINE_QUIET_MS = 3000;
interface Queued {
  key: string;
  prompt: Prompt;
  waiters: ((a: Answer) => void)[];
}

/**
 * Installs the central error interceptor: every API call failing with HOST_KEY_UNKNOWN / HOST_KEY_CHANGED /
 * SECRET_REQUIRED waits here until the user answers the dialog; the answer decides whether the call is retried.
 */
export function usePromptQueue() {
  const [queue, setQueue] = useState<Queued[]>([]);
  const queueRef = useRef(queue);
  queueRef.current = queue;
  const declined = useRef(new Map<string, number>());

  useEffect(
    () =>
      setErrorInterceptor(
        (error) =>
          new Promise<Answer>((resolve) => {
            const prompt = promptFor(error);
            if (!prompt) return resolve('fail');
            const key = promptKey(prompt);
            if (Date.now() - (declined.current.get(key) ?? 0) < DECLINE_QUIET_MS) return resolve('fail');
            setQueue((q) => {
              const same = q.find((x) => x.key === key);
              if (same) {
                same.waiters.push(resolve);
                return q;
              }
              return [...q, { key, prompt, waiters: [resolve] }];
            });
          }),
      ),
    [],
  );

  /** Answers the dialog on screen and moves to the next question. */
  const answer = useCallback((a: Answer) => {
    const head = queueRef.current[0];
    if (!head) return;
    if (a === 'fail') declined.current.set(head.key, Date.now());
    for (const w of head.waiters) w(a);
    setQueue((q) => q.slice(1));
  }, []);

  return { current: queue[0]?.prompt ?? null, answer };
}
