import { FerryError, fromNodeError } from '../../errors';

/**
 * Maps what @google-cloud/storage throws into FerryError. Three shapes reach us:
 * - ApiError (JSON API answers): `code` is the HTTP status, `errors[0].reason` Google's reason;
 * - GaxiosError / "Upload failed" (resumable uploads, auth): `response.status` or a numeric `code`;
 * - network errors from node-fetch/gaxios: `code` is a Node errno string (ECONNREFUSED...).
 * Messages are ours, in plain words with the path and host; never the server's body (a download error's
 * message is the raw JSON body) and never anything from the credentials.
 */

export interface ErrorContext {
  /** Ferry path the operation was about. */
  path?: string;
  host: string;
}

interface SdkError {
  code?: unknown;
  status?: unknown;
  name?: string;
  message?: string;
  errors?: Array<{ reason?: string; message?: string }>;
  response?: { status?: number; data?: { error?: unknown; error_description?: unknown } };
}

export function httpStatusOf(e: unknown): number | undefined {
  const err = e as SdkError | undefined;
  if (!err || typeof err !== 'object') return undefined;
  if (typeof err.code === 'number') return err.code;
  if (typeof err.response?.status === 'number') return err.response.status;
  if (typeof err.status === 'number') return err.status;
  if (typeof err.code === 'string' && /^\d{3}$/.test(err.code)) return Number(err.code);
  return undefined;
}

function reasonOf(e: SdkError): string {
  return String(e.errors?.[0]?.reason ?? '');
}

/** Google's own message for context, only when it cannot carry anything secret. */
function googleMessage(e: SdkError): string {
  const m = String(e.errors?.[0]?.message ?? '').trim();
  return m && m.length < 300 && !/private|BEGIN|key/i.test(m) ? m : '';
}

export function gcsError(raw: unknown, ctx: ErrorContext): FerryError {
  if (raw instanceof FerryError) return raw;
  const err = (raw ?? {}) as SdkError;
  // Kept as the FerryError's cause, reduced to harmless facts: a GaxiosError carries its request config,
  // Authorization header (a bearer token) included.
  const e = sanitized(err);
  const where = ctx.path ? `${ctx.path} on ${ctx.host}` : ctx.host;
  const detail = { ...(ctx.path ? { path: ctx.path } : {}), host: ctx.host };
  const status = httpStatusOf(err);
  const reason = reasonOf(err);
  const said = googleMessage(err);

  if (err.name === 'AbortError' || err.code === 'ABORT_ERR') return new FerryError('CANCELLED', 'Cancelled', { cause: e });

  if (status !== undefined) {
    const d = { ...detail, status, ...(reason ? { reason } : {}) };
    switch (status) {
      case 400:
        if (err.response?.data?.error === 'invalid_grant') {
          return new FerryError('AUTH_FAILED', `Google refused the credentials (invalid grant) for ${ctx.host}`, { detail: d, cause: e });
        }
        if (/hash .* doesn't match/i.test(said)) {
          return new FerryError('CHECKSUM_MISMATCH', `Google Cloud Storage received different bytes than were sent: ${where}`, { detail: d, cause: e });
        }
        if (/name/i.test(said)) return new FerryError('INVALID_NAME', `Google Cloud Storage does not accept this name: ${where}${said ? ` (${said})` : ''}`, { detail: d, cause: e });
        return new FerryError('INVALID_INPUT', `Google Cloud Storage refused the request for ${where}${said ? `: ${said}` : ''}`, { detail: d, cause: e });
      case 401:
        return new FerryError('AUTH_FAILED', `Google Cloud Storage did not accept the credentials (${ctx.host})`, { detail: d, cause: e });
      case 403:
        if (/rateLimitExceeded|userRateLimitExceeded/.test(reason)) return rateLimited(where, d, e);
        if (reason === 'quotaExceeded') return new FerryError('QUOTA_EXCEEDED', `Quota exceeded: ${where}`, { detail: d, cause: e });
        return new FerryError('PERMISSION_DENIED', `Permission denied: ${where}${said ? ` (${said})` : ''}`, { detail: d, cause: e });
      case 404:
        return new FerryError('NOT_FOUND', `Not found: ${where}`, { detail: d, cause: e });
      case 409:
        return new FerryError('ALREADY_EXISTS', `Already exists: ${where}`, { detail: d, cause: e });
      case 412:
        return new FerryError('CONFLICT', `Changed on the server meanwhile (a precondition failed): ${where}`, { detail: d, cause: e });
      case 416:
        return new FerryError('INVALID_INPUT', `The requested byte range is outside the file: ${where}`, { detail: d, cause: e });
      case 408:
      case 429:
      case 500:
      case 502:
      case 503:
      case 504:
        return rateLimited(where, d, e);
      default:
        return new FerryError('INTERNAL', `Google Cloud Storage answered HTTP ${status} for ${where}${said ? `: ${said}` : ''}`, { detail: d, cause: e });
    }
  }

  const message = String(err.message ?? '');
  if (/Could not load the default credentials/i.test(message)) {
    return new FerryError(
      'AUTH_FAILED',
      'No Application Default Credentials found: run "gcloud auth application-default login" or set GOOGLE_APPLICATION_CREDENTIALS',
      { detail, cause: e },
    );
  }
  if (/cannot connect to Cloud Services without a project ID|Unable to detect a Project Id/i.test(message)) {
    return new FerryError('INVALID_INPUT', 'A project ID is needed to list buckets: set the Project ID option, or a bucket', {
      detail: { ...detail, option: 'projectId' },
      cause: e,
    });
  }
  if (typeof err.code === 'string' && /^E[A-Z_]+$/.test(err.code) && err.code !== 'ERR_STREAM_PREMATURE_CLOSE') {
    const [host, port] = ctx.host.split(':');
    const mapped = fromNodeError(err, { host, port: port ? Number(port) : undefined });
    (mapped as { cause?: unknown }).cause = e;
    if (mapped.code !== 'INTERNAL') return mapped;
  }
  if (err.code === 'ERR_STREAM_PREMATURE_CLOSE' || /socket hang up|premature close|ECONNRESET/i.test(message)) {
    return new FerryError('CONNECTION_LOST', `The connection to ${ctx.host} was lost`, { detail, cause: e });
  }
  if (/network timeout|timed out|ETIMEDOUT/i.test(message)) {
    return new FerryError('TIMEOUT', `Timed out talking to ${ctx.host}`, { detail, cause: e });
  }
  return new FerryError('INTERNAL', `Google Cloud Storage request failed for ${where}: ${safe(message)}`, { detail, cause: e });
}

function sanitized(err: SdkError): Error {
  const out = new Error(safe(String(err.message ?? '')).slice(0, 200)) as Error & { code?: unknown; status?: number; reason?: string };
  out.name = String(err.name ?? 'Error');
  out.code = err.code;
  out.status = httpStatusOf(err);
  out.reason = reasonOf(err) || undefined;
  return out;
}

function rateLimited(where: string, detail: Record<string, unknown>, cause: unknown): FerryError {
  return new FerryError('RATE_LIMITED', `Google Cloud Storage is busy or briefly unavailable; try again: ${where}`, { detail, cause });
}

/** An SDK message, cut short and dropped entirely if it could quote key material. */
function safe(message: string): string {
  if (/BEGIN|PRIVATE|private_key/i.test(message)) return 'the credentials could not be used';
  return message.length > 200 ? message.slice(0, 200) + '…' : message || 'unknown error';
}
