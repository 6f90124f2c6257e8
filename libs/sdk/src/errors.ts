import { VigilError } from '@vigil/contracts';

/**
 * Codes the SDK itself produces; every other code on a `VigilApiError` is the server's, passed through verbatim.
 * Documented in libs/sdk/README.md.
 */
export const SDK_ERROR_CODES = [
  'VIGIL_ERR_NETWORK',
  'VIGIL_ERR_TIMEOUT',
  'VIGIL_ERR_HTTP',
  'VIGIL_ERR_INVALID_RESPONSE',
  'VIGIL_ERR_INVALID_OPTIONS',
  'VIGIL_ERR_INVALID_INPUT',
  'VIGIL_ERR_NO_HEARTBEAT',
] as const;

/** A code produced by the SDK (as opposed to one passed through from the server). */
export type SdkErrorCode = (typeof SDK_ERROR_CODES)[number];

/** What a `VigilApiError` knows about the failed call. */
export interface VigilApiErrorInit {
  /** HTTP status the server answered, or null when no answer arrived (network failure, timeout). */
  readonly status: number | null;
  /** The request field the server blamed, when it named one. */
  readonly field?: string;
  /** How long the server asked us to wait before trying again (`Retry-After`), in ms. */
  readonly retryAfterMs?: number;
  /** Method and path of the call, for messages and logs. */
  readonly request?: string;
  /** The underlying error. */
  readonly cause?: unknown;
}

/** Whether an HTTP status (or no answer at all) means that the same call may succeed later. */
export function isRetriableStatus(status: number | null): boolean {
  return status === null || status === 408 || status === 429 || status >= 500;
}

/**
 * A call to the Vigil API failed: carries the server's `code`, `status` and `field`, and `retriable`
 * (5xx, 429, network and timeout) so that callers can decide between "try again later" and "fix the request".
 */
export class VigilApiError extends VigilError {
  /** HTTP status the server answered, or null when no answer arrived. */
  readonly status: number | null;
  /** The request field the server blamed, if any. */
  readonly field: string | undefined;
  /** `Retry-After` of the answer in ms, if the server sent one. */
  readonly retryAfterMs: number | undefined;

  constructor(code: string, message: string, init: VigilApiErrorInit) {
    super(code, message, {
      // With no answer at all, an HTTP edge relaying this error would say "bad gateway".
      statusCode: init.status ?? 502,
      retriable: isRetriableStatus(init.status),
      cause: init.cause,
      details: {
        ...(init.field === undefined ? {} : { field: init.field }),
        ...(init.request === undefined ? {} : { request: init.request }),
      },
    });
    this.name = 'VigilApiError';
    this.status = init.status;
    this.field = init.field;
    this.retryAfterMs = init.retryAfterMs;
  }
}

/** Thrown at once for programming mistakes (bad options, invalid metric, no heartbeat started): never retriable. */
export class VigilUsageError extends VigilError {
  constructor(code: SdkErrorCode, message: string, field?: string) {
    super(code, message, { statusCode: 400, retriable: false, details: field === undefined ? {} : { field } });
    this.name = 'VigilUsageError';
  }
}
