import type { ErrorCode, ErrorData } from '../../../shared/errors';

/**
 * How a failed run's error decides what happens next. Fatal: retrying cannot help and may hurt (an account
 * locked out by repeated wrong passwords, a server that is no longer the one pinned), so the task is flagged
 * and the scheduler stops firing it until the user looks. Retryable: the network or the server was not there
 * for a moment. Anything else fails this run only.
 */
const FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['AUTH_FAILED', 'HOST_KEY_CHANGED', 'HOST_KEY_UNKNOWN', 'SECRET_REQUIRED', 'KEYCHAIN_UNAVAILABLE']);
const RETRYABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONNECTION_LOST', 'CONNECTION_REFUSED', 'TIMEOUT', 'RATE_LIMITED']);

export type FailureClass = 'fatal' | 'retryable' | 'final';

/** A deleted profile is fatal too: the task names something that is gone (detail.deletedProfile). */
export function classifyFailure(error: ErrorData): FailureClass {
  if (FATAL.has(error.code) || error.detail?.deletedProfile !== undefined) return 'fatal';
  if (RETRYABLE.has(error.code) || error.retryable) return 'retryable';
  return 'final';
}

/** The wait before attempt `attempt` (2 = the first retry): base, 2×base, 4×base…, at most an hour. */
export function retryDelayMs(attempt: number, baseSeconds: number): number {
  return Math.min(3600_000, baseSeconds * 1000 * 2 ** Math.max(0, attempt - 2));
}
