import type { FastifyInstance } from 'fastify';
import { WhoAmI } from '@vigil/contracts';
import { identityOf } from './bearer-auth.ts';
import { routeSchema } from './openapi.ts';

/**
 * `GET /v1/whoami` (any valid key, so role agent) on a context that is already an API scope: the calling key's id,
 * tenant, role and name, never the key itself. Clients ask it to fit themselves to the key (the dashboard hides
 * controls an agent key may not use; `vigil whoami` tells a person which key they hold).
 */
export function registerWhoAmIRoute(app: FastifyInstance): void {
  app.get(
    '/v1/whoami',
    {
      config: { role: 'agent' },
      schema: routeSchema({
        summary: 'The calling key: id, tenant, role and name',
        description: 'Never the key itself. Any valid key may ask; an unknown or revoked one gets 401.',
        tags: ['keys'],
        response: { 200: WhoAmI },
      }),
    },
    async (request, reply) => {
      const { id, tenant, role, name } = identityOf(request);
      // Per key, and the key is revocable: a cache must not answer for it.
      void reply.header('cache-control', 'no-store');
      return { keyId: id, tenant, role, name } satisfies WhoAmI;
    },
  );
}
