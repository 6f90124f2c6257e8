import { IsoTimestamp, RoleSchema, TenantId, type ApiKeyInfo, type CreatedApiKey } from '@vigil/contracts';
import { z } from 'zod';

/** The compacted log topic that holds API keys (digests, never keys) for every process of a deployment. */
export function apiKeysTopic(prefix: string): string {
  return `${prefix}api-keys`;
}

/** An API key id: `key_` and hex for stored keys, `static-` and hex for keys given at start. */
export const ApiKeyId = z.string().regex(/^(key_|static-)[0-9a-f]{6,32}$/, 'an API key id looks like key_0123456789ab (vigil keys list shows them)');

/** A human label of a key (who or what uses it). */
export const ApiKeyName = z.string().trim().min(1).max(100);

// Views of keys that clients read are contracts; re-exported so the server's code keeps one import.
export { RoleSchema, ApiKeyInfo, CreatedApiKey } from '@vigil/contracts';

const Iso = IsoTimestamp;

/** A key was created: its SHA-256 digest, never the key itself. Log key `key/<id>`. */
export const ApiKeyCreatedRecord = z.strictObject({
  type: z.literal('api-key-created'),
  id: ApiKeyId,
  digest: z.string().regex(/^[0-9a-f]{64}$/),
  tenant: TenantId,
  role: RoleSchema,
  name: ApiKeyName,
  createdAt: Iso,
});
/** A key was created. */
export type ApiKeyCreatedRecord = z.infer<typeof ApiKeyCreatedRecord>;

/** A key was revoked; under the same log key as its creation, so compaction keeps only this. */
export const ApiKeyRevokedRecord = z.strictObject({
  type: z.literal('api-key-revoked'),
  id: ApiKeyId,
  tenant: TenantId,
  revokedAt: Iso,
});
/** A key was revoked. */
export type ApiKeyRevokedRecord = z.infer<typeof ApiKeyRevokedRecord>;

/** A key was used (written lazily, at most once per key per flush period). Log key `used/<id>`. */
export const ApiKeyUsedRecord = z.strictObject({
  type: z.literal('api-key-used'),
  id: ApiKeyId,
  at: Iso,
});
/** A key was used. */
export type ApiKeyUsedRecord = z.infer<typeof ApiKeyUsedRecord>;

/** Any record of the api-keys topic. */
export const ApiKeyRecord = z.discriminatedUnion('type', [ApiKeyCreatedRecord, ApiKeyRevokedRecord, ApiKeyUsedRecord]);
/** Any record of the api-keys topic. */
export type ApiKeyRecord = z.infer<typeof ApiKeyRecord>;

/** What `POST /v1/keys` takes. */
export const CreateApiKeyRequest = z.strictObject({
  tenant: TenantId.optional(),
  role: RoleSchema,
  name: ApiKeyName.optional(),
});
/** What `POST /v1/keys` takes. */
export type CreateApiKeyRequest = z.infer<typeof CreateApiKeyRequest>;

/** Creates, lists and revokes keys: what the `/v1/keys` routes need. */
export interface ApiKeyStore {
  /** Creates a key of a tenant and role; the answer holds the key, which is never shown again. */
  create(input: { tenant: string; role: z.infer<typeof RoleSchema>; name?: string }): Promise<CreatedApiKey>;
  /** Keys that authenticate now (stored and static), optionally of one tenant, by creation. */
  list(filter?: { tenant?: string }): ApiKeyInfo[];
  /** Revokes a stored key; it answers 401 everywhere within a second. Throws KeyNotFoundError / KeyNotRevocableError. */
  revoke(id: string): Promise<ApiKeyInfo>;
}
