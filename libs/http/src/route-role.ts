/** The roles an API key holds, least to most privileged; a route declares the least role it needs. */
export const ROLES = ['agent', 'operator', 'admin'] as const;

/** One of `agent` (beat, goodbye), `operator` (its tenant's agents, thresholds, webhooks), `admin` (keys of every tenant). */
export type Role = (typeof ROLES)[number];

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The least role a key needs to call this route (`config: { role: 'operator' }`); enforced by the API scope's auth hook. */
    role?: Role;
  }
}
