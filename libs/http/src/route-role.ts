import type { Role } from '@vigil/contracts';

// The roles are a contract (clients name them too); the server's side is the route option below.
export { ROLES, type Role } from '@vigil/contracts';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a key needs to call this route (`config: { role: 'operator' }`); enforced by the API scope's auth hook. */
    role?: Role;
  }
}
