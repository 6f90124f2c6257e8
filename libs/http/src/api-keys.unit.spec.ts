import { describe, expect, it } from 'vitest';
import { InMemoryApiKeyResolver } from './api-keys.ts';
import { InvalidApiKeysError } from './errors.ts';

describe('InMemoryApiKeyResolver', () => {
  it('resolves a known key to its tenant and an unknown one to null', () => {
    const keys = new InMemoryApiKeyResolver(new Map([['k-acme', 'acme']]));
    expect(keys.tenantFor('k-acme')).toBe('acme');
    expect(keys.tenantFor('k-acm')).toBeNull();
  });

  it('parses key=tenant lists', () => {
    const keys = InMemoryApiKeyResolver.fromSpec('k1=acme, k2=globex');
    expect(keys.tenantFor('k2')).toBe('globex');
    expect(keys.size).toBe(2);
  });

  it('refuses tenant names that cannot appear in log keys', () => {
    expect(() => new InMemoryApiKeyResolver({ k: 'Acme/Corp' })).toThrow(InvalidApiKeysError);
  });

  it('refuses empty keys', () => {
    expect(() => new InMemoryApiKeyResolver({ '': 'acme' })).toThrow(InvalidApiKeysError);
  });
});
