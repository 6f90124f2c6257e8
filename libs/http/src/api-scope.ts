import type { FastifyInstance } from 'fastify';
import type { ApiKeyResolver } from './api-keys.ts';
import { bearerAuth, type BearerAuthOptions } from './bearer-auth.ts';
import { vigilErrorHandler } from './error-handler.ts';

/**
 * Makes an encapsulated fastify context a Vigil API scope: bearer auth, roles and write rate limits on each of its
 * routes, JSON error bodies,
 * and route JSON schemas used for documentation only — validation is zod's (`parseInput`), so every 400 names its
 * field the same way, and responses are serialised with JSON.stringify, never trimmed by a response schema.
 */
export function apiScope(app: FastifyInstance, apiKeys: ApiKeyResolver, options: BearerAuthOptions = {}): void {
  app.setValidatorCompiler(() => () => true);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  app.setErrorHandler(vigilErrorHandler);
  app.addHook('onRequest', bearerAuth(apiKeys, options));
}
