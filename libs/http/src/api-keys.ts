import { createHash } from 'node:crypto';
import { TenantId } from '@vigil/contracts';
import { InvalidApiKeysError } from './errors.ts';

/** Maps a bearer API key to its tenant (one tenant per key); a port so keys can later live in a database or a vault. */
export interface ApiKeyResolver {
  /** The tenant of a key, or null when the key is unknown. */
  tenantFor(key: string): string | null;
}

function digest(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/**
 * API keys held in memory. Keys are stored as SHA-256 digests and looked up by digest, so neither a heap dump nor
 * the timing of a string comparison gives away how much of a guessed key was right.
 */
export class InMemoryApiKeyResolver implements ApiKeyResolver {
  private readonly tenants = new Map<string, string>();

  /** Takes `key → tenant`; throws InvalidApiKeysError on an empty key or a tenant name that is not a valid TenantId. */
  constructor(keys: ReadonlyMap<string, string> | Readonly<Record<string, string>>) {
    const entries = keys instanceof Map ? [...keys.entries()] : Object.entries(keys);
    for (const [key, tenant] of entries) {
      if (key.trim() === '' || /\s/.test(key)) throw new InvalidApiKeysError('an API key is empty or contains whitespace');
      const parsed = TenantId.safeParse(tenant);
      if (!parsed.success) {
        throw new InvalidApiKeysError(`tenant ${JSON.stringify(tenant)} of an API key is invalid: ${parsed.error.issues[0]?.message ?? 'invalid'}`);
      }
      this.tenants.set(digest(key), tenant);
    }
  }

  /** Parses `key1=tenant1,key2=tenant2` (the form of `VIGIL_API_KEYS` and `--api-keys`). */
  static fromSpec(spec: string): InMemoryApiKeyResolver {
    const keys = new Map<string, string>();
    for (const pair of spec.split(',').map((s) => s.trim()).filter((s) => s !== '')) {
      const eq = pair.lastIndexOf('=');
      if (eq <= 0) throw new InvalidApiKeysError('API keys must be written key=tenant, separated by commas');
      keys.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    return new InMemoryApiKeyResolver(keys);
  }

  /** The tenant of a key, or null. */
  tenantFor(key: string): string | null {
    return this.tenants.get(digest(key)) ?? null;
  }

  /** Number of keys, for start-up logs. */
  get size(): number {
    return this.tenants.size;
  }
}
