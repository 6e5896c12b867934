import { z } from 'zod';

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

export const ErrorDataSchema = z.object({
  code: z.enum(ERROR_CODES),
  message: z.string(),
  retryable: z.boolean().default(false),
  /** Structured facts for the UI/CLI (host, port, fingerprint, path, line, column...). Never a secret. */
  detail: z.record(z.string(), z.unknown()).optional(),
});
export type ErrorData = z.infer<typeof ErrorDataSchema>;

/** Detail carried by HOST_KEY_UNKNOWN / HOST_KEY_CHANGED, for SSH keys and TLS certificates alike. */
export const HostKeyDetailSchema = z.object({
  kind: z.enum(['ssh', 'tls']),
  host: z.string(),
  port: z.number().int(),
  keyType: z.string(),
  /** "SHA256:base64" as OpenSSH prints it (TLS: SHA256 of the DER certificate, same notation). */
  fingerprint: z.string(),
  /** Base64 of the key blob (ssh) or DER certificate (tls): what gets pinned once accepted. */
  key: z.string(),
  /** For HOST_KEY_CHANGED: the fingerprint that was pinned before. */
  pinnedFingerprint: z.string().optional(),
});
export type HostKeyDetail = z.infer<typeof HostKeyDetailSchema>;

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
