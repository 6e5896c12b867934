import type { ErrorCode } from '../../../../shared/errors';
import { FerryError, fromNodeError } from '../../errors';

/**
 * Maps @azure/storage-blob errors (RestError: statusCode, code = the service's x-ms-error-code or a Node
 * socket code) into FerryError. Azure's own error codes are documented in "Blob service error codes";
 * Azurite answers some conditions with a different code than Azure does (noted below), so both are mapped.
 *
 * Secrets: the SDK's errors carry the request (its URL holds a SAS token) and its messages may echo a
 * connection string, so the original error is never attached as `cause` and every message is scrubbed.
 */

interface AzureErrorLike {
  name?: string;
  code?: string;
  statusCode?: number;
  message?: string;
  details?: { errorCode?: string };
}

/** Removes credentials from text that may come from the SDK or the service. */
export class Scrubber {
  private readonly values: string[];

  constructor(secrets: Array<string | undefined>) {
    // Longest first, so a connection string is removed whole before the key inside it.
    this.values = secrets.filter((s): s is string => !!s && s.length >= 4).sort((a, b) => b.length - a.length);
  }

  scrub(text: string): string {
    let out = text;
    for (const v of this.values) out = out.split(v).join('[redacted]');
    return out
      .replace(/([?&]sig=)[^&\s"']+/gi, '$1[redacted]')
      .replace(/(AccountKey=)[^;\s"']+/gi, '$1[redacted]')
      .replace(/(SharedAccessSignature=)[^;\s"']+/gi, '$1[redacted]');
  }
}

const NOT_FOUND = new Set(['BlobNotFound', 'ContainerNotFound', 'ResourceNotFound', 'CannotVerifyCopySource']);
const AUTH = new Set([
  'AuthenticationFailed',
  // Azurite answers a wrong account key or SAS signature with AuthorizationFailure (Azure: AuthenticationFailed).
  'AuthorizationFailure',
  'InvalidAuthenticationInfo',
  'NoAuthenticationInformation',
]);
const PERMISSION = new Set([
  'AuthorizationPermissionMismatch',
  'AuthorizationResourceTypeMismatch',
  'AuthorizationServiceMismatch',
  'AuthorizationProtocolMismatch',
  'AuthorizationSourceIPMismatch',
  'InsufficientAccountPermissions',
  'AccountIsDisabled',
  'BlobImmutableDueToPolicy',
  'BlobArchived',
]);
const EXISTS = new Set(['ContainerAlreadyExists', 'BlobAlreadyExists']);
const INVALID_NAME = new Set(['InvalidResourceName', 'InvalidBlobOrBlock', 'OutOfRangeInput', 'InvalidUri']);
const BUSY = new Set(['ServerBusy', 'OperationTimedOut']);
const CONFLICT = new Set(['ContainerBeingDeleted', 'ContainerBeingDisabled', 'LeaseIdMissing', 'LeaseAlreadyPresent', 'PendingCopyOperation']);

function classify(e: AzureErrorLike): { code: ErrorCode; title: string; retryable?: boolean } | null {
  const azure = e.code ?? e.details?.errorCode;
  const status = e.statusCode;
  const message = e.message ?? '';
  if (azure === 'Md5Mismatch' || azure === 'Crc64Mismatch' || /content-?md5 doesn't match|md5 mismatch/i.test(message)) {
    // Azurite reports a wrong MD5 as InvalidOperation "Provided contentMD5 doesn't match."; Azure as Md5Mismatch.
    return { code: 'CHECKSUM_MISMATCH', title: 'The server received different bytes than were sent (MD5 mismatch)', retryable: true };
  }
  if (azure && NOT_FOUND.has(azure)) return { code: 'NOT_FOUND', title: azure === 'ContainerNotFound' ? 'Container not found' : 'Not found' };
  if (azure && AUTH.has(azure)) return { code: 'AUTH_FAILED', title: 'The storage account refused the credentials (check the key, connection string or SAS URL)' };
  if (azure && PERMISSION.has(azure)) return { code: 'PERMISSION_DENIED', title: 'The credentials do not allow this operation' };
  if (azure && EXISTS.has(azure)) return { code: 'ALREADY_EXISTS', title: 'Already exists' };
  if (azure && INVALID_NAME.has(azure)) return { code: 'INVALID_NAME', title: 'Azure does not accept this name (containers: 3-63 lowercase letters, digits and hyphens)' };
  if (azure && BUSY.has(azure)) return { code: 'RATE_LIMITED', title: 'The storage account is busy; try again shortly', retryable: true };
  if (azure && CONFLICT.has(azure)) return { code: 'CONFLICT', title: 'Conflicting operation in progress', retryable: azure === 'ContainerBeingDeleted' };
  if (azure === 'AccountBeingCreated') return { code: 'CONNECTION_REFUSED', title: 'The storage account is still being created' };
  if (azure === 'InvalidRange') return { code: 'INVALID_INPUT', title: 'The range lies outside the file' };
  if (status === 404) return { code: 'NOT_FOUND', title: 'Not found' };
  if (status === 401) return { code: 'AUTH_FAILED', title: 'The storage account refused the credentials' };
  if (status === 403) return { code: 'PERMISSION_DENIED', title: 'Access denied' };
  if (status === 409) return { code: 'CONFLICT', title: 'Conflict' };
  if (status === 412) return { code: 'CONFLICT', title: 'The file changed on the server meanwhile' };
  if (status === 429 || status === 503) return { code: 'RATE_LIMITED', title: 'The storage account is throttling requests', retryable: true };
  if (status !== undefined && status >= 500) return { code: 'CONNECTION_LOST', title: `Server error ${status}`, retryable: true };
  return null;
}

export interface ErrorPlace {
  /** The Ferry path the operation was about, when there is one. */
  path?: string;
  /** The account's host (and port): named in network errors. */
  host: string;
}

/**
 * Turns anything the SDK threw into a FerryError naming the path (or the account host).
 * The Azure error code and HTTP status go into `detail`; the message is scrubbed of secrets.
 */
export function mapAzureError(e: unknown, place: ErrorPlace, scrubber: Scrubber): FerryError {
  if (e instanceof FerryError) return e;
  const err = (e ?? {}) as AzureErrorLike;
  if (err.name === 'AbortError') return new FerryError('CANCELLED', 'Cancelled');
  const known = classify(err);
  const azureCode = err.code ?? err.details?.errorCode;
  const where = place.path ?? place.host;
  const detail = { ...place, ...(azureCode ? { azureCode } : {}), ...(err.statusCode ? { status: err.statusCode } : {}) };
  if (known) {
    return new FerryError(known.code, `${known.title}: ${where}`, { detail, ...(known.retryable !== undefined ? { retryable: known.retryable } : {}) });
  }
  // Socket-level failures arrive as RestError whose code is Node's (ECONNREFUSED, ENOTFOUND, ...).
  if (err.code && /^E[A-Z_]+$/.test(err.code)) {
    const mapped = fromNodeError({ code: err.code, message: scrubber.scrub(err.message ?? '') }, { host: place.host });
    return new FerryError(mapped.code, mapped.message, { detail: { ...mapped.detail, ...place }, retryable: mapped.retryable });
  }
  const text = scrubber.scrub(firstLine(err.message ?? String(e)));
  return new FerryError('INTERNAL', `Azure error at ${where}: ${text}`, { detail });
}

/** Azure messages carry "RequestId:... Time:..." lines after the sentence that matters. */
function firstLine(s: string): string {
  return s.split('\n')[0].trim();
}
