import Fastify, { type FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiScope } from './api-scope.ts';
import { InMemoryApiKeyResolver } from './api-keys.ts';
import { openApiPlugin } from './openapi.ts';

let app: FastifyInstance;

beforeEach(async () => {
  app = Fastify();
  await app.register(openApiPlugin, { title: 'Vigil test', version: '1' });
  await app.register(async (scope) => {
    apiScope(scope, new InMemoryApiKeyResolver({ k: 'acme' }));
    scope.post('/v1/beat', { config: { role: 'agent' }, schema: { summary: 'beat', description: 'Beats.' } }, async () => ({}));
    scope.get('/v1/read', { config: { role: 'operator' }, schema: { summary: 'read' } }, async () => ({}));
    scope.delete('/v1/keys/:id', { schema: { summary: 'untagged' } }, async () => ({}));
  });
  app.get('/healthz', { schema: { security: [] } }, async () => ({ status: 'ok' }));
});
afterEach(async () => {
  await app.close();
});

describe('/openapi.json and /docs', () => {
  it("shows each route's least role and the bearer scheme with the roles", async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(doc.paths['/v1/beat'].post['x-vigil-role']).toBe('agent');
    expect(doc.paths['/v1/beat'].post.description).toMatch(/^Beats\.\n\nRole: \*\*agent\*\*/);
    expect(doc.paths['/v1/read'].get['x-vigil-role']).toBe('operator');
    expect(doc.paths['/v1/keys/{id}'].delete['x-vigil-role']).toBe('admin');
    expect(doc.paths['/healthz'].get['x-vigil-role']).toBeUndefined();
    expect(doc.components.securitySchemes.bearerApiKey).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(doc.components.securitySchemes.bearerApiKey.description).toContain('`operator`');
  });

  it('serves the UI from this process with a CSP that allows nothing from elsewhere', async () => {
    const page = await app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).not.toMatch(/https:|http:|validator|upgrade-insecure/);
    for (const src of page.body.matchAll(/(?:src|href)="([^"]+)"/g)) expect(src[1]).not.toMatch(/^(https?:)?\/\//);
    const script = await app.inject({ method: 'GET', url: '/docs/static/swagger-ui-bundle.js' });
    expect(script.statusCode).toBe(200);
    const init = await app.inject({ method: 'GET', url: '/docs/static/swagger-initializer.js' });
    expect(init.body).toContain('json');
  });
});
