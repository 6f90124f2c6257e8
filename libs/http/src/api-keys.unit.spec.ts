import { describe, expect, it } from 'vitest';
import { InMemoryApiKeyResolver, roleSatisfies } from './api-keys.ts';
import { InvalidApiKeysError } from './errors.ts';

describe('InMemoryApiKeyResolver', () => {
  it('resolves a known key to its tenant (role operator by default) and an unknown one to null', () => {
    const keys = new InMemoryApiKeyResolver(new Map([['k-acme', 'acme']]));
    expect(keys.resolve('k-acme')).toMatchObject({ tenant: 'acme', role: 'operator' });
    expect(keys.resolve('k-acme')?.id).toMatch(/^static-[0-9a-f]{12}$/);
    expect(keys.resolve('k-acm')).toBeNull();
  });

  it('parses key=tenant[:role] lists', () => {
    const keys = InMemoryApiKeyResolver.fromSpec('k1=acme, k2=globex:agent, k3=acme:admin');
    expect(keys.resolve('k2')).toMatchObject({ tenant: 'globex', role: 'agent' });
    expect(keys.resolve('k3')).toMatchObject({ tenant: 'acme', role: 'admin' });
    expect(keys.size).toBe(3);
  });

  it('refuses unknown roles, tenant names that cannot appear in log keys, and empty keys', () => {
    expect(() => InMemoryApiKeyResolver.fromSpec('k=acme:root')).toThrow(InvalidApiKeysError);
    expect(() => new InMemoryApiKeyResolver({ k: 'Acme/Corp' })).toThrow(InvalidApiKeysError);
    expect(() => new InMemoryApiKeyResolver({ '': 'acme' })).toThrow(InvalidApiKeysError);
  });

  it('orders roles agent < operator < admin', () => {
    expect(roleSatisfies('admin', 'operator')).toBe(true);
    expect(roleSatisfies('operator', 'agent')).toBe(true);
    expect(roleSatisfies('agent', 'operator')).toBe(false);
    expect(roleSatisfies('operator', 'admin')).toBe(false);
  });
});
