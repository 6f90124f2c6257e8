import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { roleSatisfies, type ApiKeyIdentity, type ApiKeyResolver } from './api-keys.ts';
import { ForbiddenError, RateLimitedError, UnauthorizedError } from './errors.ts';
import { RateLimiter } from './rate-limiter.ts';
import type { Role } from './route-role.ts';

// A WeakMap rather than a request decorator: both service plugins run this hook on one app, and sibling contexts
// decorating the same property is a source of FST_ERR_DEC_ALREADY_PRESENT surprises.
const identities = new WeakMap<FastifyRequest, ApiKeyIdentity>();

/**
 * The role a route needs when it declares none: the most privileged, so a route someone forgot to tag is closed to
 * agent and operator keys rather than open to them.
 */
export const DEFAULT_ROUTE_ROLE: Role = 'admin';

/** Options of the auth hook beyond the keys. */
export interface BearerAuthOptions {
  /** Requests per second each key may make to this scope's writing routes (POST, PUT, DELETE); 0 or absent: no limit. */
  readonly writeRateLimit?: number;
  /** Epoch ms, for the rate windows. Default `Date.now`. */
  readonly now?: () => number;
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The onRequest hook of an API scope: authenticates `Authorization: Bearer <key>` (401), checks the key's role against
 * the route's `config.role` (403 naming the role needed; untagged routes need DEFAULT_ROUTE_ROLE), and counts writes
 * against the key's budget (429 with `Retry-After`). Runs before the body is read, so a refused request costs little.
 */
export function bearerAuth(apiKeys: ApiKeyResolver, options: BearerAuthOptions = {}): onRequestHookHandler {
  const limiter = options.writeRateLimit ? new RateLimiter(options.writeRateLimit) : null;
  const now = options.now ?? Date.now;
  return function authenticate(request: FastifyRequest, reply: FastifyReply, done: (err?: Error) => void): void {
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
    const identity = apiKeys.resolve(match[1]);
    if (identity === null) {
      done(new UnauthorizedError('the API key in the Authorization header is not known (or was revoked)'));
      return;
    }
    const needed = request.routeOptions.config.role ?? DEFAULT_ROUTE_ROLE;
    if (!roleSatisfies(identity.role, needed)) {
      done(new ForbiddenError(needed, identity.role));
      return;
    }
    if (limiter !== null && !READ_METHODS.has(request.method)) {
      const decision = limiter.take(identity.id, now());
      void reply.header('x-ratelimit-limit', decision.limit).header('x-ratelimit-remaining', decision.remaining).header('x-ratelimit-reset', decision.resetSeconds);
      if (!decision.allowed) {
        done(new RateLimitedError(decision.limit, decision.resetSeconds));
        return;
      }
    }
    identities.set(request, identity);
    done();
  };
}

/** The identity of an authenticated request; throws if the route is not behind `bearerAuth` (a wiring bug). */
export function identityOf(request: FastifyRequest): ApiKeyIdentity {
  const identity = identities.get(request);
  if (identity === undefined) throw new Error(`route ${request.routeOptions.url ?? request.url} is not behind bearerAuth`);
  return identity;
}

/** The tenant of an authenticated request; throws if the route is not behind `bearerAuth` (a wiring bug). */
export function tenantOf(request: FastifyRequest): string {
  return identityOf(request).tenant;
}
