import { inject } from 'vitest';

/** Connection facts of a server started by global-setup, or undefined when it was not started. */
export function server<T = Record<string, unknown>>(name: string): T | undefined {
  return inject('servers')[name] as T | undefined;
}
