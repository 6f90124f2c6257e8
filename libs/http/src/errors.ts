import { VigilError } from '@vigil/contracts';

/** Error codes of the shared HTTP edge; every one is answered as `{error:{code,message,field?}}`. */
export const HTTP_ERROR_CODES = [
  'VIGIL_ERR_UNAUTHORIZED',
  'VIGIL_ERR_VALIDATION',
  'VIGIL_ERR_MALFORMED_JSON',
  'VIGIL_ERR_BODY_TOO_LARGE',
  'VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE',
  'VIGIL_ERR_BAD_REQUEST',
  'VIGIL_ERR_ROUTE_NOT_FOUND',
  'VIGIL_ERR_UNAVAILABLE',
  'VIGIL_ERR_NOT_READY',
  'VIGIL_ERR_INTERNAL',
  'VIGIL_ERR_INVALID_API_KEYS',
  'VIGIL_ERR_FORBIDDEN',
  'VIGIL_ERR_RATE_LIMITED',
  'VIGIL_ERR_OVERLOADED',
  'VIGIL_ERR_KEY_NOT_FOUND',
  'VIGIL_ERR_KEY_NOT_REVOCABLE',
] as const;
/** A code of the shared HTTP edge. */
export type HttpErrorCode = (typeof HTTP_ERROR_CODES)[number];

/** No, malformed or unknown bearer key: the message says how to send the `Authorization` header. */
export class UnauthorizedError extends VigilError {
  constructor(message: string) {
    super('VIGIL_ERR_UNAUTHORIZED', message, { statusCode: 401, details: { field: 'authorization' } });
    this.name = 'UnauthorizedError';
  }
}

/** A request part (body, query, path) that does not match its schema; `field` names the offending one. */
export class ValidationError extends VigilError {
  constructor(message: string, field: string, cause?: unknown) {
    super('VIGIL_ERR_VALIDATION', message, { statusCode: 400, details: field ? { field } : {}, cause });
    this.name = 'ValidationError';
  }
}

/** The body is declared JSON but does not parse (or is empty). */
export class MalformedJsonError extends VigilError {
  constructor(message: string, cause?: unknown) {
    super('VIGIL_ERR_MALFORMED_JSON', message, { statusCode: 400, cause });
    this.name = 'MalformedJsonError';
  }

  /** The body does not parse (or hides a prototype key): one message wherever JSON is parsed, fastify or Vigil. */
  static invalid(cause?: unknown): MalformedJsonError {
    return new MalformedJsonError('request body is not valid JSON (Content-Type is application/json)', cause);
  }

  /** The body is empty although declared JSON. */
  static empty(cause?: unknown): MalformedJsonError {
    return new MalformedJsonError('request body is empty but Content-Type is application/json; send a JSON value or no Content-Type', cause);
  }
}

/** The body is over the route's limit. */
export class BodyTooLargeError extends VigilError {
  constructor(limitBytes: number | undefined, cause?: unknown) {
    const limit = limitBytes === undefined ? 'the limit' : `the limit of ${limitBytes} bytes`;
    super('VIGIL_ERR_BODY_TOO_LARGE', `request body is larger than ${limit}; split a batch into smaller requests`, {
      statusCode: 413,
      cause,
    });
    this.name = 'BodyTooLargeError';
  }
}

/** The body's Content-Type has no parser (send `application/json`). */
export class UnsupportedMediaTypeError extends VigilError {
  constructor(contentType: string | undefined, cause?: unknown) {
    super('VIGIL_ERR_UNSUPPORTED_MEDIA_TYPE', `unsupported Content-Type ${JSON.stringify(contentType ?? '')}; send application/json`, {
      statusCode: 415,
      details: { field: 'content-type' },
      cause,
    });
    this.name = 'UnsupportedMediaTypeError';
  }
}

/** Any other client error fastify detected before our handler ran. */
export class BadRequestError extends VigilError {
  constructor(message: string, statusCode = 400, cause?: unknown) {
    super('VIGIL_ERR_BAD_REQUEST', message, { statusCode, cause });
    this.name = 'BadRequestError';
  }
}

/** No route matches the method and URL. */
export class RouteNotFoundError extends VigilError {
  constructor(method: string, url: string) {
    super('VIGIL_ERR_ROUTE_NOT_FOUND', `no route ${method} ${url}; see GET /openapi.json`, { statusCode: 404 });
    this.name = 'RouteNotFoundError';
  }
}

/** A dependency (the log) is unavailable for now: answered 503 with `Retry-After`; the client retries. */
export class ServiceUnavailableError extends VigilError {
  constructor(message: string, retryAfterSeconds: number, cause?: unknown) {
    super('VIGIL_ERR_UNAVAILABLE', message, { statusCode: 503, retriable: true, details: { retryAfterSeconds }, cause });
    this.name = 'ServiceUnavailableError';
  }
}

/** `/readyz`: a readiness check failed. */
export class NotReadyError extends VigilError {
  constructor(failed: readonly string[]) {
    super('VIGIL_ERR_NOT_READY', `not ready: ${failed.join(', ')}`, { statusCode: 503, retriable: true });
    this.name = 'NotReadyError';
  }
}

/** An unexpected failure; the body says nothing more, the log has the cause. */
export class InternalError extends VigilError {
  constructor(cause?: unknown) {
    super('VIGIL_ERR_INTERNAL', 'internal error; the server log has the details', { statusCode: 500, cause });
    this.name = 'InternalError';
  }
}

/** The API-key table given at start is unusable (empty key, invalid tenant name). */
export class InvalidApiKeysError extends VigilError {
  constructor(message: string) {
    super('VIGIL_ERR_INVALID_API_KEYS', message, { statusCode: 500 });
    this.name = 'InvalidApiKeysError';
  }
}

/** A known key whose role is below the route's: the message names the role needed. */
export class ForbiddenError extends VigilError {
  constructor(needed: string, held: string) {
    super('VIGIL_ERR_FORBIDDEN', `this route needs a key with role ${needed} (or higher); this key has role ${held}`, {
      statusCode: 403,
      details: { field: 'authorization', requiredRole: needed },
    });
    this.name = 'ForbiddenError';
  }
}

/** The key spent its request budget for this window: answered 429 with `Retry-After`. */
export class RateLimitedError extends VigilError {
  constructor(limit: number, retryAfterSeconds: number) {
    super('VIGIL_ERR_RATE_LIMITED', `rate limit of ${limit} requests per second for this key reached; retry after ${retryAfterSeconds} s`, {
      statusCode: 429,
      retriable: true,
      details: { retryAfterSeconds },
    });
    this.name = 'RateLimitedError';
  }
}

/** The process is overloaded (its event loop lags): load is shed with 503 and `Retry-After` before any work is done. */
export class OverloadedError extends VigilError {
  constructor(retryAfterSeconds: number) {
    super('VIGIL_ERR_OVERLOADED', 'the server is overloaded (event loop lagging); retry later', {
      statusCode: 503,
      retriable: true,
      details: { retryAfterSeconds },
    });
    this.name = 'OverloadedError';
  }
}

/** No API key with this id (or it was already revoked). */
export class KeyNotFoundError extends VigilError {
  constructor(id: string) {
    super('VIGIL_ERR_KEY_NOT_FOUND', `no API key with id ${JSON.stringify(id)}; vigil keys list shows the ids`, { statusCode: 404, details: { field: 'id' } });
    this.name = 'KeyNotFoundError';
  }
}

/** A key given at start (bootstrap admin key, VIGIL_API_KEYS) is not in the store, so the API cannot revoke it. */
export class KeyNotRevocableError extends VigilError {
  constructor(id: string) {
    super('VIGIL_ERR_KEY_NOT_REVOCABLE', `key ${id} was given at start (--api-key, <data>/api-key, VIGIL_ADMIN_KEY or VIGIL_API_KEYS); change that setting and restart to retire it`, {
      statusCode: 409,
      details: { field: 'id' },
    });
    this.name = 'KeyNotRevocableError';
  }
}
