import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ApiKeyId, ApiKeyInfo, CreateApiKeyRequest, CreatedApiKey, type ApiKeyStore } from './api-key-records.ts';
import { identityOf } from './bearer-auth.ts';
import { routeSchema } from './openapi.ts';
import { parseInput } from './validate.ts';
import { TenantId } from '@vigil/contracts';

const KeyParams = z.strictObject({ id: ApiKeyId });
const KeyQuery = z.strictObject({ tenant: TenantId.optional() });
const KeyList = z.strictObject({ items: z.array(ApiKeyInfo), nextCursor: z.null() });

/**
 * `POST/GET/DELETE /v1/keys` (role admin) on a context that is already an API scope: an admin manages the keys of
 * every tenant; a new key is in the answer to its creation and nowhere else, ever.
 */
export function registerKeyRoutes(app: FastifyInstance, store: ApiKeyStore): void {
  app.post(
    '/v1/keys',
    {
      config: { role: 'admin' },
      schema: routeSchema({
        summary: 'Create an API key',
        description: 'The key is shown in this answer only; the store keeps its SHA-256 digest. `tenant` defaults to the caller’s.',
        tags: ['keys'],
        body: CreateApiKeyRequest,
        response: { 201: CreatedApiKey },
      }),
    },
    async (request, reply) => {
      const body = parseInput(CreateApiKeyRequest, request.body, { whenMissing: 'request body is required: send {"role": "agent"|"operator"|"admin", "tenant"?, "name"?}' });
      const created = await store.create({ tenant: body.tenant ?? identityOf(request).tenant, role: body.role, ...(body.name ? { name: body.name } : {}) });
      void reply.header('cache-control', 'no-store');
      return reply.code(201).send(created);
    },
  );

  app.get(
    '/v1/keys',
    {
      config: { role: 'admin' },
      schema: routeSchema({ summary: 'List API keys (never the keys themselves)', tags: ['keys'], querystring: KeyQuery, response: { 200: KeyList } }),
    },
    async (request) => {
      const q = parseInput(KeyQuery, request.query ?? {});
      return { items: store.list(q.tenant === undefined ? {} : { tenant: q.tenant }), nextCursor: null };
    },
  );

  app.delete(
    '/v1/keys/:id',
    {
      config: { role: 'admin' },
      schema: routeSchema({
        summary: 'Revoke an API key',
        description: 'Every process answers 401 to it within a second. Keys given at start cannot be revoked here (409).',
        tags: ['keys'],
        params: KeyParams,
        response: { 200: ApiKeyInfo },
      }),
    },
    async (request) => {
      const { id } = parseInput(KeyParams, request.params);
      return store.revoke(id);
    },
  );
}
