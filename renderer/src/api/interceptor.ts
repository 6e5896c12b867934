import type { ErrorCode } from '../../../shared/errors';
import type { FerryClientError } from './errors';

/** Errors the user can fix on the spot (trust a host key, type a password), after which the call is retried. */
export const INTERCEPTED_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['HOST_KEY_UNKNOWN', 'HOST_KEY_CHANGED', 'SECRET_REQUIRED']);

/** Resolves 'retry' once the user fixed the cause, 'fail' when they declined (the call then throws the error). */
export type ErrorInterceptor = (error: FerryClientError) => Promise<'retry' | 'fail'>;

let current: ErrorInterceptor | null = null;

/** The trust feature installs the one interceptor (dialogs); returns an uninstall function. */
export function setErrorInterceptor(fn: ErrorInterceptor): () => void {
  current = fn;
  return () => {
    if (current === fn) current = null;
  };
}

export function intercept(error: FerryClientError): Promise<'retry' | 'fail'> {
  if (!current || !INTERCEPTED_CODES.has(error.code)) return Promise.resolve('fail');
  return current(error);
}
