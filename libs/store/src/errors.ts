import { VigilError } from '@vigil/contracts';

/** Every error code `@vigil/store` throws on purpose; each has one class below. */
export const STORE_ERROR_CODES = [
  'VIGIL_ERR_WRONG_EXPECTED_REVISION',
  'VIGIL_ERR_STORE_UNAVAILABLE',
  'VIGIL_ERR_STORE_CLOSED',
  'VIGIL_ERR_INVALID_STORE_OPTIONS',
  'VIGIL_ERR_INVALID_CURSOR',
] as const;

/** One of the store's error codes. */
export type StoreErrorCode = (typeof STORE_ERROR_CODES)[number];

/** What the writer expected, as reported in errors and logs. */
export type ExpectedRevisionDescription = 'any' | 'no_stream' | 'stream_exists' | number;

/**
 * An append found the stream elsewhere than the writer expected (optimistic concurrency): re-read and decide again.
 * Not retriable as-is, since repeating the same append fails the same way.
 */
export class WrongExpectedRevisionError extends VigilError {
  /** The stream that was written to. */
  readonly streamName: string;
  /** What the writer expected. */
  readonly expectedRevision: ExpectedRevisionDescription;
  /** The stream's last revision, -1 when it does not exist, null when the adapter cannot tell. */
  readonly actualRevision: number | null;

  constructor(streamName: string, expectedRevision: ExpectedRevisionDescription, actualRevision: number | null, cause?: unknown) {
    const actual = actualRevision === null ? 'unknown' : actualRevision === -1 ? 'no stream' : String(actualRevision);
    super('VIGIL_ERR_WRONG_EXPECTED_REVISION', `stream "${streamName}" expected at ${String(expectedRevision)}, actually at ${actual}`, {
      statusCode: 409,
      retriable: false,
      cause,
      details: { streamName, expectedRevision, actualRevision },
    });
    this.name = 'WrongExpectedRevisionError';
    this.streamName = streamName;
    this.expectedRevision = expectedRevision;
    this.actualRevision = actualRevision;
  }
}

/** The store could not be reached or is busy right now; trying again later may succeed. */
export class StoreUnavailableError extends VigilError {
  constructor(message: string, cause?: unknown) {
    super('VIGIL_ERR_STORE_UNAVAILABLE', message, { statusCode: 503, retriable: true, cause });
    this.name = 'StoreUnavailableError';
  }
}

/** The store (or read model) was used after `close()`: a programming or shutdown-order error, never retried. */
export class StoreClosedError extends VigilError {
  constructor(what: string) {
    super('VIGIL_ERR_STORE_CLOSED', `${what} is closed`, { statusCode: 503, retriable: false });
    this.name = 'StoreClosedError';
  }
}

/** Options given to a store adapter are invalid; the message names the field and how to fix it. */
export class InvalidStoreOptionsError extends VigilError {
  constructor(message: string, field: string, cause?: unknown) {
    super('VIGIL_ERR_INVALID_STORE_OPTIONS', message, { statusCode: 500, retriable: false, cause, details: { field } });
    this.name = 'InvalidStoreOptionsError';
  }
}

/** A pagination cursor that this read model did not issue (or was altered): the client should start over. */
export class InvalidCursorError extends VigilError {
  constructor(cursor: string) {
    super('VIGIL_ERR_INVALID_CURSOR', 'cursor is not valid: pass the nextCursor of a previous page, or none', {
      statusCode: 400,
      retriable: false,
      details: { field: 'cursor', cursor },
    });
    this.name = 'InvalidCursorError';
  }
}
