import type { FastifyReply, FastifyRequest } from 'fastify';
import { VigilError, type ErrorBody } from '@vigil/contracts';
import { z } from 'zod';
import {
  BadRequestError,
  BodyTooLargeError,
  InternalError,
  MalformedJsonError,
  RouteNotFoundError,
  UnsupportedMediaTypeError,
  ValidationError,
} from './errors.ts';
import { describeZodError } from './validate.ts';

/** Seconds a client waits before retrying a 503, unless the error says otherwise. */
export const DEFAULT_RETRY_AFTER_SECONDS = 1;

function hasCode(err: unknown): err is Error & { code: string; statusCode?: number } {
  return err instanceof Error && typeof (err as { code?: unknown }).code === 'string';
}

/** Turns anything thrown in a request into a VigilError with a stable code: zod, fastify's own errors, the rest. */
export function toVigilError(err: unknown, request: FastifyRequest): VigilError {
  if (err instanceof VigilError) return err;
  if (err instanceof z.core.$ZodError) {
    const { field, message } = describeZodError(err);
    return new ValidationError(message, field, err);
  }
  if (hasCode(err)) {
    switch (err.code) {
      case 'FST_ERR_CTP_BODY_TOO_LARGE':
        return new BodyTooLargeError(request.routeOptions.bodyLimit, err);
      case 'FST_ERR_CTP_INVALID_JSON_BODY':
        return MalformedJsonError.invalid(err);
      case 'FST_ERR_CTP_EMPTY_JSON_BODY':
        return MalformedJsonError.empty(err);
      case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
        return new UnsupportedMediaTypeError(request.headers['content-type'], err);
    }
    const status = err.statusCode;
    if (typeof status === 'number' && status >= 400 && status < 500) return new BadRequestError(err.message, status, err);
  }
  return new InternalError(err);
}

/**
 * The error handler of every Vigil HTTP scope: answers `{error:{code,message,field?}}` with the error's status, adds
 * `Retry-After` to retriable 503s and `WWW-Authenticate` to 401s, and logs server errors with their cause.
 */
export function vigilErrorHandler(err: unknown, request: FastifyRequest, reply: FastifyReply): void {
  const error = toVigilError(err, request);
  let status = error.statusCode;
  // A retriable failure of a dependency (the log) is "try again later", whatever status its adapter picked.
  if (error.retriable && status >= 500) status = 503;
  if (status >= 500) request.log.error({ err: error.cause ?? error, code: error.code }, error.message);
  else request.log.info({ code: error.code, field: error.details['field'] }, error.message);
  if (status === 503 || status === 429) {
    const after = error.details['retryAfterSeconds'];
    reply.header('retry-after', String(typeof after === 'number' ? Math.max(1, Math.ceil(after)) : DEFAULT_RETRY_AFTER_SECONDS));
  }
  if (status === 401) reply.header('www-authenticate', 'Bearer realm="vigil"');
  const field = error.details['field'];
  const body: ErrorBody = {
    error: { code: error.code, message: error.message, ...(typeof field === 'string' && field !== '' ? { field } : {}) },
  };
  void reply.code(status).type('application/json; charset=utf-8').send(body);
}

/** The not-found handler: unknown routes get the same JSON error body as every other failure. */
export function vigilNotFoundHandler(request: FastifyRequest, reply: FastifyReply): void {
  vigilErrorHandler(new RouteNotFoundError(request.method, request.url.split('?')[0] ?? request.url), request, reply);
}
