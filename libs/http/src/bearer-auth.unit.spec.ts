import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiScope } from './api-scope.ts';
import { InMemoryApiKeyResolver } from './api-keys.ts';
import { tenantOf } from './bearer-auth.ts';

const keys = new InMemoryApiKeyResolver({
  'k-agent': { tenant: 'acme', role: 'agent' },
  'k-operator': { tenant: 'acme', role: 'operator' },
  'k-admin': { tenant: 'acme', role: 'admin' },
});
const clock = { now: 1_000_000 };
let app: FastifyInstance;

beforeEach(async () => {
  app = Fastify();
  await app.register(async (scope) => {
    apiScope(scope, keys, { writeRateLimit: 2, now: () => clock.now });
    scope.post('/beat', { config: { role: 'agent' } }, async (request) => ({ tenant: tenantOf(request) }));
    scope.get('/read', { config: { role: 'operator' } }, async (request) => ({ tenant: tenantOf(request) }));
    scope.post('/kill', { config: { role: 'operator' } }, async () => ({ ok: true }));
    scope.post('/untagged', async () => ({ ok: true }));
  });
});
afterEach(async () => {
  await app.close();
});

const call = (method: 'GET' | 'POST', url: string, key: string) => app.inject({ method, url, headers: { authorization: `Bearer ${key}` } });

describe('bearer auth with roles', () => {
  it.each([
    ['k-agent', 'POST', '/beat', 200],
    ['k-agent', 'GET', '/read', 403],
    ['k-agent', 'POST', '/kill', 403],
    ['k-operator', 'POST', '/beat', 200],
    ['k-operator', 'GET', '/read', 200],
    ['k-operator', 'POST', '/kill', 200],
    ['k-operator', 'POST', '/untagged', 403],
    ['k-admin', 'GET', '/read', 200],
    ['k-admin', 'POST', '/untagged', 200],
  ] as const)('%s %s %s answers %i', async (key, method, url, status) => {
    expect((await call(method, url, key)).statusCode).toBe(status);
  });

  it('answers 403 with a JSON error naming the role the route needs', async () => {
    const res = await call('GET', '/read', 'k-agent');
    expect(res.json()).toEqual({
      error: { code: 'VIGIL_ERR_FORBIDDEN', message: 'this route needs a key with role operator (or higher); this key has role agent', field: 'authorization' },
    });
  });

  it('treats a route without a role as admin-only', async () => {
    expect((await call('POST', '/untagged', 'k-operator')).json().error.message).toContain('role admin');
  });

  it('answers 401 to an unknown key, whatever the route', async () => {
    const res = await call('POST', '/beat', 'k-nobody');
    expect(res.statusCode).toBe(401);
    expect(res.json().error.code).toBe('VIGIL_ERR_UNAUTHORIZED');
  });
});

describe('write rate limit per key', () => {
  it('answers 429 with Retry-After and RateLimit headers past the budget, per key, and never limits reads', async () => {
    const first = await call('POST', '/beat', 'k-agent');
    expect(first.headers['x-ratelimit-limit']).toBe('2');
    expect(first.headers['x-ratelimit-remaining']).toBe('1');
    expect((await call('POST', '/beat', 'k-agent')).statusCode).toBe(200);
    const refused = await call('POST', '/beat', 'k-agent');
    expect(refused.statusCode).toBe(429);
    expect(refused.headers['retry-after']).toBe('1');
    expect(refused.headers['x-ratelimit-remaining']).toBe('0');
    expect(refused.json().error.code).toBe('VIGIL_ERR_RATE_LIMITED');
    expect((await call('POST', '/beat', 'k-operator')).statusCode).toBe(200);
    for (let i = 0; i < 5; i++) expect((await call('GET', '/read', 'k-operator')).statusCode).toBe(200);
    clock.now += 1000;
    expect((await call('POST', '/beat', 'k-agent')).statusCode).toBe(200);
  });

  it('counts a refused role against nothing: a 403 spends no budget', async () => {
    for (let i = 0; i < 3; i++) expect((await call('POST', '/kill', 'k-agent')).statusCode).toBe(403);
    expect((await call('POST', '/beat', 'k-agent')).statusCode).toBe(200);
  });
});
