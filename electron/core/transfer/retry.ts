import type { ErrorCode } from '../../../shared/errors';
import { FerryError, fromNodeError } from '../errors';

export interface RetryOptions {
  /** Tries per file for a retryable error, the first included. */
  attempts: number;
  baseMs: number;
  maxMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 5, baseMs: 1000, maxMs: 30_000 };

/**
 * Errors about the endpoint rather than the file: every other file of the job would fail the same way, so
 * the job stops at once instead of trying (and locking out an account on) thousands of files.
 */
const JOB_FATAL: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'AUTH_FAILED',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_NOT_FOUND',
  'TLS_ERROR',
  'SECRET_REQUIRED',
  'KEYCHAIN_UNAVAILABLE',
  'QUOTA_EXCEEDED',
]);

/** Errors that mean the connection is gone or unusable: its lease is released as broken. */
const BREAKS_CONNECTION: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONNECTION_LOST', 'TIMEOUT', 'CANCELLED', 'INTERNAL']);

/** Errors of reaching the endpoint: once a file has used up its retries on one, the endpoint is down. */
const UNREACHABLE: ReadonlySet<ErrorCode> = new Set<ErrorCode>(['CONNECTION_LOST', 'CONNECTION_REFUSED', 'TIMEOUT', 'RATE_LIMITED']);

export function asFerryError(e: unknown): FerryError {
  return e instanceof FerryError ? e : fromNodeError(e);
}

export function isJobFatal(e: FerryError): boolean {
  return JOB_FATAL.has(e.code) && !(e.code === 'HOST_NOT_FOUND' && e.retryable);
}

export function breaksConnection(e: unknown): boolean {
  return BREAKS_CONNECTION.has(asFerryError(e).code);
}

export function isUnreachable(e: FerryError): boolean {
  return UNREACHABLE.has(e.code);
}

/**
 * How many tries an error allows in all. Retryable errors get the configured attempts; a checksum mismatch
 * gets one more try (a glitch on the wire heals, a corrupting destination fails again), and so does a source
 * that changed during its copy (a file that was being saved is whole now; one still growing fails again);
 * the rest fail now.
 */
export function triesFor(e: FerryError, opts: RetryOptions): number {
  if (e.retryable) return opts.attempts;
  if (e.code === 'CHECKSUM_MISMATCH' || sourceChanged(e)) return 2;
  return 1;
}

/** The source changed during the copy (file-task's re-check): detail carries its size and time now. */
export function sourceChanged(e: FerryError): e is FerryError & { detail: { size: number | null; modified: string | null } } {
  return e.detail?.sourceChanged === true;
}

/** Exponential backoff with jitter (0.5x to 1.5x), honouring a server's Retry-After when a connector passes it. */
export function backoffMs(failures: number, opts: RetryOptions, e?: FerryError): number {
  const exp = Math.min(opts.maxMs, opts.baseMs * 2 ** Math.max(0, failures - 1));
  const jittered = exp * (0.5 + Math.random());
  const retryAfter = Number(e?.detail?.retryAfterMs);
  return Math.round(Number.isFinite(retryAfter) && retryAfter > jittered ? Math.min(retryAfter, opts.maxMs * 4) : jittered);
}

/** Resolves after `ms`, or rejects with CANCELLED when the signal aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(new FerryError('CANCELLED', 'Cancelled'));
    const onAbort = () => {
      clearTimeout(timer);
      reject(new FerryError('CANCELLED', 'Cancelled'));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
