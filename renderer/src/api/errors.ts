import { ERROR_TITLES, type ErrorCode, type ErrorData } from '../../../shared/errors';

/** A failed API call, as the renderer sees it: the core's ErrorData, thrown. */
export class FerryClientError extends Error {
  readonly code: ErrorCode;
  readonly retryable: boolean;
  readonly detail: Record<string, unknown> | undefined;

  constructor(data: ErrorData) {
    super(data.message);
    this.name = 'FerryClientError';
    this.code = data.code;
    this.retryable = data.retryable ?? false;
    this.detail = data.detail;
  }

  get title(): string {
    return ERROR_TITLES[this.code] ?? 'Error';
  }

  toData(): ErrorData {
    return { code: this.code, message: this.message, retryable: this.retryable, detail: this.detail };
  }
}

/** Anything thrown or returned as an error (ErrorData, FerryClientError, Error) as a FerryClientError. */
export function toClientError(e: unknown): FerryClientError {
  if (e instanceof FerryClientError) return e;
  if (isErrorData(e)) return new FerryClientError(e);
  return new FerryClientError({ code: 'INTERNAL', message: e instanceof Error ? e.message : String(e), retryable: false });
}

export function isErrorData(e: unknown): e is ErrorData {
  return typeof e === 'object' && e !== null && typeof (e as ErrorData).code === 'string' && (e as ErrorData).code in ERROR_TITLES;
}
