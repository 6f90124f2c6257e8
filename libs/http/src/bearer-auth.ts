import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { ApiKeyResolver } from './api-keys.ts';
import { UnauthorizedError } from './errors.ts';

// A WeakMap rather than a request decorator: both service plugins run this hook on one app, and sibling contexts
// decorating the same property is a source of FST_ERR_DEC_ALREADY_PRESENT surprises.
const tenants = new WeakMap<FastifyRequest, string>();

/** The onRequest hook that authenticates `Authorization: Bearer <key>` and remembers the key's tenant. */
export function bearerAuth(apiKeys: ApiKeyResolver): onRequestHookHandler {
  return function authenticate(request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void): void {
    const header = request.headers.authorization;
    if (header === undefined || header === '') {
      done(new UnauthorizedError('the Authorization header is missing; send "Authorization: Bearer <api key>"'));
      return;
    }
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) {
      done(new UnauthorizedError('the Authorization header must be "Bearer <api key>"'));
      return;
    }
    const tenant = apiKeys.tenantFor(match[1]);
    if (tenant === null) {
      done(new UnauthorizedError('the API key in the Authorization header is not known'));
      return;
    }
    tenants.set(request, tenant);
    done();
  };
}

/** The tenant of an authenticated request; throws if the route is not behind `bearerAuth` (a wiring bug). */
export function tenantOf(request: FastifyRequest): string {
  const tenant = tenants.get(request);
  if (tenant === undefined) throw new Error(`route ${request.routeOptions.url ?? request.url} is not behind bearerAuth`);
  return tenant;
}
