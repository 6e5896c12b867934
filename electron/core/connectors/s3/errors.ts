import type { ErrorCode } from '../../../../shared/errors';
import { FerryError, fromNodeError } from '../../errors';

/** What an S3 failure was about, for the message: the Ferry path and the endpoint host. */
export interface ErrorContext {
  path?: string;
  host?: string;
}

/** S3 error codes (the XML <Code>, or the SDK's error name) and what they mean for a user. */
const S3_CODES: Record<string, ErrorCode> = {
  NoSuchKey: 'NOT_FOUND',
  NotFound: 'NOT_FOUND',
  NoSuchBucket: 'NOT_FOUND',
  NoSuchUpload: 'NOT_FOUND',
  AccessDenied: 'PERMISSION_DENIED',
  Forbidden: 'PERMISSION_DENIED',
  AllAccessDisabled: 'PERMISSION_DENIED',
  AccountProblem: 'PERMISSION_DENIED',
  InvalidAccessKeyId: 'AUTH_FAILED',
  SignatureDoesNotMatch: 'AUTH_FAILED',
  ExpiredToken: 'AUTH_FAILED',
  InvalidToken: 'AUTH_FAILED',
  TokenRefreshRequired: 'AUTH_FAILED',
  AuthorizationHeaderMalformed: 'AUTH_FAILED',
  CredentialsProviderError: 'AUTH_FAILED',
  TokenProviderError: 'AUTH_FAILED',
  SlowDown: 'RATE_LIMITED',
  ServiceUnavailable: 'RATE_LIMITED',
  TooManyRequests: 'RATE_LIMITED',
  RequestTimeout: 'TIMEOUT',
  TimeoutError: 'TIMEOUT',
  RequestTimeTooSkewed: 'AUTH_FAILED',
  BucketAlreadyOwnedByYou: 'ALREADY_EXISTS',
  BucketAlreadyExists: 'ALREADY_EXISTS',
  BucketNotEmpty: 'NOT_EMPTY',
  InvalidBucketName: 'INVALID_NAME',
  KeyTooLongError: 'INVALID_NAME',
  KeyTooLong: 'INVALID_NAME',
  QuotaExceeded: 'QUOTA_EXCEEDED',
  EntityTooLarge: 'QUOTA_EXCEEDED',
  TooManyBuckets: 'QUOTA_EXCEEDED',
  BadDigest: 'CHECKSUM_MISMATCH',
  InvalidDigest: 'CHECKSUM_MISMATCH',
  AbortError: 'CANCELLED',
};

const HTTP_STATUS: Record<number, ErrorCode> = {
  401: 'AUTH_FAILED',
  403: 'PERMISSION_DENIED',
  404: 'NOT_FOUND',
  408: 'TIMEOUT',
  409: 'CONFLICT',
  429: 'RATE_LIMITED',
  503: 'RATE_LIMITED',
};

interface SdkError {
  name?: string;
  code?: string;
  Code?: string;
  message?: string;
  errors?: unknown[];
  $metadata?: { httpStatusCode?: number };
}

/**
 * Any failure of an S3 call as a FerryError. SDK service errors carry the S3 code as `name`; network failures
 * arrive as Node system errors (sometimes wrapped in an AggregateError when several addresses were tried).
 * `secrets` are scrubbed from any text taken from the error, so a key can never leak into a message.
 */
export function fromS3Error(e: unknown, ctx: ErrorContext = {}, secrets: string[] = []): FerryError {
  if (e instanceof FerryError) return e;
  const err = (e ?? {}) as SdkError;
  const nested = Array.isArray(err.errors) && err.errors.length ? (err.errors[0] as SdkError) : undefined;
  const sysCode = err.code ?? nested?.code;
  if (sysCode && /^E[A-Z_]+$/.test(sysCode)) {
    return fromNodeError(nested ?? e, ctx.path ? { path: ctx.path, host: ctx.host } : { host: ctx.host });
  }

  if (/Region is missing/i.test(err.message ?? '')) {
    return new FerryError('INVALID_INPUT', 'No region: set one on the profile (or in the AWS profile in ~/.aws/config)', { cause: e });
  }
  const s3Code = err.Code ?? err.name ?? '';
  const status = err.$metadata?.httpStatusCode;
  const code: ErrorCode = S3_CODES[s3Code] ?? (status ? (HTTP_STATUS[status] ?? (status >= 500 ? 'CONNECTION_LOST' : undefined)) : undefined) ?? 'INTERNAL';
  const where = ctx.path ?? ctx.host ?? '';
  const serverSaid = scrub(err.message ?? '', secrets);
  const message = describe(code, s3Code, where, serverSaid);
  // 5xx answers are the server's momentary trouble: worth a retry, like a dropped connection.
  const retryable = code === 'CONNECTION_LOST' || code === 'TIMEOUT' || code === 'RATE_LIMITED';
  return new FerryError(code, message, {
    detail: { ...(ctx.path ? { path: ctx.path } : {}), ...(ctx.host ? { host: ctx.host } : {}), s3Code: s3Code || undefined, status },
    retryable,
    cause: e,
  });
}

function describe(code: ErrorCode, s3Code: string, where: string, serverSaid: string): string {
  const at = where ? `: ${where}` : '';
  switch (code) {
    case 'NOT_FOUND':
      return s3Code === 'NoSuchBucket' ? `Bucket not found${at}` : `Not found${at}`;
    case 'PERMISSION_DENIED':
      return `Access denied by the S3 server${at}`;
    case 'AUTH_FAILED':
      return s3Code === 'CredentialsProviderError' || s3Code === 'TokenProviderError'
        ? `Could not load AWS credentials: ${serverSaid}`
        : s3Code === 'RequestTimeTooSkewed'
          ? `The S3 server rejected the request because this computer's clock is off${at}`
          : `The S3 server rejected the access key or secret (${s3Code || 'authentication failed'})${at}`;
    case 'RATE_LIMITED':
      return `The S3 server asks to slow down${at}`;
    case 'ALREADY_EXISTS':
      return s3Code === 'BucketAlreadyExists' ? `The bucket name is taken by another account${at}` : `Already exists${at}`;
    case 'INVALID_NAME':
      return s3Code === 'InvalidBucketName'
        ? `Invalid bucket name (3-63 characters: lowercase letters, digits, "-" and ".")${at}`
        : `The key is too long for S3 (1024 bytes at most)${at}`;
    case 'QUOTA_EXCEEDED':
      return `The S3 server refused the size or count (${s3Code})${at}`;
    case 'CHECKSUM_MISMATCH':
      return `The S3 server received different bytes than were sent (${s3Code})${at}`;
    case 'CANCELLED':
      return 'Cancelled';
    default:
      return `S3 error${s3Code ? ` ${s3Code}` : ''}${at}${serverSaid ? ` (${serverSaid})` : ''}`;
  }
}

function scrub(text: string, secrets: string[]): string {
  let out = text;
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('***');
  return out;
}

/** True when an SDK error says "this key/bucket does not exist" (HEAD answers 404 without a code). */
export function isNotFound(e: unknown): boolean {
  const err = e as SdkError;
  return err?.name === 'NotFound' || err?.name === 'NoSuchKey' || err?.name === 'NoSuchBucket' || err?.$metadata?.httpStatusCode === 404;
}
