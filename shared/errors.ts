import { z } from 'zod';
import { ERROR_CODES } from './error-codes';

export { ERROR_CODES, ERROR_TITLES, RETRYABLE_CODES, type ErrorCode } from './error-codes';


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
