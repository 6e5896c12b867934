// The error codes and their plain-words titles, without the schemas: what the core and the CLI need at
// start-up (shared/errors.ts, with zod, loads only when a payload is validated).

/**
 * The one closed set of error codes every connector, the engine and the API speak.
 * Connectors map their SDK's or server's errors into these; the UI and CLI read only these.
 */
export const ERROR_CODES = [
  'NOT_FOUND',
  'ALREADY_EXISTS',
  'NOT_A_DIRECTORY',
  'IS_A_DIRECTORY',
  'NOT_EMPTY',
  'PERMISSION_DENIED',
  'AUTH_FAILED',
  'HOST_KEY_UNKNOWN',
  'HOST_KEY_CHANGED',
  'HOST_NOT_FOUND',
  'CONNECTION_REFUSED',
  'CONNECTION_LOST',
  'TIMEOUT',
  'TLS_ERROR',
  'QUOTA_EXCEEDED',
  'RATE_LIMITED',
  'INVALID_NAME',
  'PATH_ESCAPE',
  'INVALID_INPUT',
  'UNSUPPORTED',
  'SECRET_REQUIRED',
  'KEYCHAIN_UNAVAILABLE',
  'CHECKSUM_MISMATCH',
  'CONFLICT',
  'CANCELLED',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

/** Codes that are retried with backoff by default (a transient network or server condition). */
export const RETRYABLE_CODES: ReadonlySet<ErrorCode> = new Set<ErrorCode>([
  'CONNECTION_LOST',
  'CONNECTION_REFUSED',
  'TIMEOUT',
  'RATE_LIMITED',
]);

/** Plain-words titles for the UI and CLI. */
export const ERROR_TITLES: Record<ErrorCode, string> = {
  NOT_FOUND: 'Not found',
  ALREADY_EXISTS: 'Already exists',
  NOT_A_DIRECTORY: 'Not a folder',
  IS_A_DIRECTORY: 'Is a folder',
  NOT_EMPTY: 'Folder not empty',
  PERMISSION_DENIED: 'Permission denied',
  AUTH_FAILED: 'Authentication failed',
  HOST_KEY_UNKNOWN: 'Unknown host key',
  HOST_KEY_CHANGED: 'Host key changed',
  HOST_NOT_FOUND: 'Host not found (DNS)',
  CONNECTION_REFUSED: 'Connection refused',
  CONNECTION_LOST: 'Connection lost',
  TIMEOUT: 'Timed out',
  TLS_ERROR: 'TLS error',
  QUOTA_EXCEEDED: 'Quota exceeded or disk full',
  RATE_LIMITED: 'Rate limited',
  INVALID_NAME: 'Invalid name',
  PATH_ESCAPE: 'Path escapes the destination',
  INVALID_INPUT: 'Invalid input',
  UNSUPPORTED: 'Not supported',
  SECRET_REQUIRED: 'Secret required',
  KEYCHAIN_UNAVAILABLE: 'No keychain available',
  CHECKSUM_MISMATCH: 'Checksum mismatch',
  CONFLICT: 'Conflict',
  CANCELLED: 'Cancelled',
  INTERNAL: 'Internal error',
};
