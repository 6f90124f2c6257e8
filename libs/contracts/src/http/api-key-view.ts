import { z } from 'zod';

/**
 * The roles an API key holds, least to most privileged; a route declares the least role it needs. Here rather than in
 * `@vigil/http` because clients (the CLI, the dashboard) name roles too and must not load the server to do so.
 */
export const ROLES = ['agent', 'operator', 'admin'] as const;

/** One of `agent` (beat, goodbye), `operator` (its tenant's agents, thresholds, webhooks), `admin` (keys of every tenant). */
export type Role = (typeof ROLES)[number];

/** A role, as zod: one of ROLES. */
export const RoleSchema = z.enum(ROLES);

/** A key as `GET /v1/keys` shows it: never the key, never its digest. */
export const ApiKeyInfo = z.strictObject({
  id: z.string(),
  name: z.string(),
  tenant: z.string(),
  role: RoleSchema,
  createdAt: z.string().nullable(),
  lastUsedAt: z.string().nullable(),
  /** Given at start (bootstrap key, VIGIL_API_KEYS): not in the store, not revocable through the API. */
  static: z.boolean(),
});
/** A key as listed. */
export type ApiKeyInfo = z.infer<typeof ApiKeyInfo>;

/** The answer to `POST /v1/keys`: the only time the key itself is shown. */
export const CreatedApiKey = z.strictObject({
  id: z.string(),
  key: z.string(),
  tenant: z.string(),
  role: RoleSchema,
  name: z.string(),
  createdAt: z.string(),
});
/** A new key, shown once. */
export type CreatedApiKey = z.infer<typeof CreatedApiKey>;

/** `GET /v1/whoami`: who the calling key speaks for (its id, never the key), so a client can fit itself to the role. */
export const WhoAmI = z.strictObject({
  keyId: z.string(),
  tenant: z.string(),
  role: RoleSchema,
  name: z.string(),
});
/** The calling key's identity. */
export type WhoAmI = z.infer<typeof WhoAmI>;
