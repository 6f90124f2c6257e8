import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InMemoryApiKeyResolver, keyDigest, roleSatisfies } from './api-keys.ts';
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

describe('keyDigest', () => {
  it('is the SHA-256 hex of the key, on the first call and on every repeat, however many keys came between', () => {
    const abc = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'; // FIPS 180-2 test vector
    expect(keyDigest('abc')).toBe(abc);
    for (let i = 0; i < 10_000; i++) keyDigest(`key-${i}`);
    expect(keyDigest('abc')).toBe(abc);
    expect(keyDigest('key-9999')).toBe(createHash('sha256').update('key-9999').digest('hex'));
  });
});

