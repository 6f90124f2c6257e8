import { createHash } from 'node:crypto';
import { TenantId } from '@vigil/contracts';
import { InvalidApiKeysError } from './errors.ts';
import { ROLES, type Role } from './route-role.ts';

/** Who a bearer key speaks for: the key's id (never the key), its tenant, its role and its name (`GET /v1/whoami`). */
export interface ApiKeyIdentity {
  readonly id: string;
  readonly tenant: string;
  readonly role: Role;
  readonly name: string;
}

/** Maps a bearer API key to its identity; a port, so keys can live in memory, on the log or in a vault. */
export interface ApiKeyResolver {
  /** The identity of a key, or null when the key is unknown or revoked. Called on every request: must be O(1). */
  resolve(key: string): ApiKeyIdentity | null;
}

/**
 * Digests of the keys presented lately: every request hashes its bearer key, and the few keys of a fleet's agents
 * repeat on every beat. Bounded (cleared when full, so a flood of random keys costs a hash each and no memory); a
 * digest is only a key's name, never its standing: revocation is looked up afresh on every request.
 */
const recentDigests = new Map<string, string>();
const RECENT_DIGESTS = 4096;

/** SHA-256 hex digest of a key: the only form in which a key is kept or compared. */
export function keyDigest(key: string): string {
  let digest = recentDigests.get(key);
  if (digest === undefined) {
    digest = createHash('sha256').update(key).digest('hex');
    if (recentDigests.size >= RECENT_DIGESTS) recentDigests.clear();
    recentDigests.set(key, digest);
  }
  return digest;
}

/** Whether `held` may call a route that needs `needed` (agent < operator < admin; an admin is also its tenant's operator). */
export function roleSatisfies(held: Role, needed: Role): boolean {
  return ROLES.indexOf(held) >= ROLES.indexOf(needed);
}

/** One static key: its tenant, and optionally its role (default operator), id and name (default `given at start`). */
export interface StaticKey {
  readonly tenant: string;
  readonly role?: Role;
  readonly id?: string;
  readonly name?: string;
}

/** The name of a static key given none: it was handed to the process at start rather than created through the API. */
export const STATIC_KEY_NAME = 'given at start';

/** The id of a static key: derived from its digest, so it is stable across restarts and says nothing of the key. */
export function staticKeyId(digest: string): string {
  return `static-${digest.slice(0, 12)}`;
}

/**
 * API keys held in memory (the bootstrap admin key, `VIGIL_API_KEYS`, tests). Keys are stored as SHA-256 digests and
 * looked up by digest, so neither a heap dump nor the timing of a string comparison gives away a key.
 */
export class InMemoryApiKeyResolver implements ApiKeyResolver {
  private readonly identities = new Map<string, ApiKeyIdentity>();

  /**
   * Takes `key → tenant` (role operator, as every key was before roles) or `key → {tenant, role, id}`; throws
   * InvalidApiKeysError on an empty key or a tenant name that is not a valid TenantId.
   */
  constructor(keys: ReadonlyMap<string, string | StaticKey> | Readonly<Record<string, string | StaticKey>>) {
    const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
    for (const [key, value] of entries) {
      if (key.trim() === '' || /\s/.test(key)) throw new InvalidApiKeysError('an API key is empty or contains whitespace');
      const spec: StaticKey = typeof value === 'string' ? { tenant: value } : value;
      const parsed = TenantId.safeParse(spec.tenant);
      if (!parsed.success) {
        throw new InvalidApiKeysError(`tenant ${JSON.stringify(spec.tenant)} of an API key is invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      }
      const digest = keyDigest(key);
      this.identities.set(digest, Object.freeze({ id: spec.id ?? staticKeyId(digest), tenant: spec.tenant, role: spec.role ?? 'operator', name: spec.name ?? STATIC_KEY_NAME }));
    }
  }

  /**
   * Parses `key1=tenant1,key2=tenant2:agent` (the form of `VIGIL_API_KEYS`): a key of a tenant, with an optional role
   * after a colon (default operator).
   */
  static fromSpec(spec: string): InMemoryApiKeyResolver {
    return new InMemoryApiKeyResolver(InMemoryApiKeyResolver.parseSpec(spec));
  }

  /** The `key → {tenant, role}` pairs of a `VIGIL_API_KEYS` spec; throws InvalidApiKeysError naming what is wrong. */
  static parseSpec(spec: string): Map<string, StaticKey> {
    const keys = new Map<string, StaticKey>();
    for (const pair of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const eq = pair.lastIndexOf('=');
      if (eq <= 0) throw new InvalidApiKeysError('API keys must be written key=tenant[:role], separated by commas');
      const [tenant = '', role, ...rest] = pair.slice(eq + 1).split(':');
      if (rest.length > 0 || (role !== undefined && !(ROLES as readonly string[]).includes(role))) {
        throw new InvalidApiKeysError(`the role after "${tenant}:" must be one of ${ROLES.join(', ')}`);
      }
      keys.set(pair.slice(0, eq), { tenant, ...(role === undefined ? {} : { role: role as Role }) });
    }
    return keys;
  }

  /** The identity of a key, or null. */
  resolve(key: string): ApiKeyIdentity | null {
    return this.identities.get(keyDigest(key)) ?? null;
  }

  /** The identity held under a digest, or null (the log registry asks before it looks at its own keys). */
  resolveDigest(digest: string): ApiKeyIdentity | null {
    return this.identities.get(digest) ?? null;
  }

  /** Every identity, for `GET /v1/keys` (static keys are listed, never revocable through the API). */
  list(): ApiKeyIdentity[] {
    return [...this.identities.values()];
  }

  /** Number of keys, for start-up logs. */
  get size(): number {
    return this.identities.size;
  }
}
