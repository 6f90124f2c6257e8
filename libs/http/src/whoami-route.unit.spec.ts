import Fastify, { type FastifyInstance } from 'fastify';
import { ROLES } from '@vigil/contracts';
import { createInMemoryLog, type EventLog } from '@vigil/log';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeysTopic } from './api-key-records.ts';
import { apiScope } from './api-scope.ts';
import { InMemoryApiKeyResolver } from './api-keys.ts';
import { LogApiKeyRegistry } from './log-key-registry.ts';
import { openApiPlugin } from './openapi.ts';
import { registerWhoAmIRoute } from './whoami-route.ts';

const BOOTSTRAP = 'bootstrap-key-0123456789';
let log: EventLog;
let keys: LogApiKeyRegistry;
let app: FastifyInstance;

beforeEach(async () => {
  log = createInMemoryLog();
  keys = new LogApiKeyRegistry({
    log,
    topic: apiKeysTopic('t.'),
    logger: pino({ level: 'silent' }),
    staticKeys: new InMemoryApiKeyResolver({ [BOOTSTRAP]: { tenant: 'default', role: 'admin', name: 'bootstrap admin (test)' } }),
  });
  await keys.start();
  app = Fastify();
  await app.register(openApiPlugin, { title: 'Vigil test', version: '1' });
  await app.register(async (scope) => {
    apiScope(scope, keys);
    registerWhoAmIRoute(scope);
  });
});
afterEach(async () => {
  await app.close();
  await keys.stop();
  await log.close();
});

function whoami(key?: string) {
  return app.inject({ method: 'GET', url: '/v1/whoami', headers: key === undefined ? {} : { authorization: `Bearer ${key}` } });
}

describe('GET /v1/whoami', () => {
  it.each(ROLES)('tells a key of role %s its id, tenant, role and name, never the key', async (role) => {
    const created = await keys.create({ tenant: 'acme', role, name: `${role} of acme` });
    const res = await whoami(created.key);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.json()).toStrictEqual({ keyId: created.id, tenant: 'acme', role, name: `${role} of acme` });
    expect(res.body).not.toContain(created.key);
  });

  it('names a key given at start by the name it was given', async () => {
    const res = await whoami(BOOTSTRAP);
    expect(res.json()).toStrictEqual({ keyId: keys.list()[0]!.id, tenant: 'default', role: 'admin', name: 'bootstrap admin (test)' });
  });

  it('answers 401 without a key, to an unknown key and to a revoked one', async () => {
    const created = await keys.create({ tenant: 'acme', role: 'operator' });
    await keys.revoke(created.id);
    for (const key of [undefined, 'not-a-known-key', created.key]) {
      const res = await whoami(key);
      expect(res.statusCode, String(key)).toBe(401);
      expect(res.json().error).toMatchObject({ code: 'VIGIL_ERR_UNAUTHORIZED', field: 'authorization' });
    }
  });

  it('is in the OpenAPI document, open to the agent role, with its answer', async () => {
    const doc = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const op = doc.paths['/v1/whoami'].get;
    expect(op['x-vigil-role']).toBe('agent');
    expect(Object.keys(op.responses['200'].content['application/json'].schema.properties).sort()).toEqual(['keyId', 'name', 'role', 'tenant']);
    expect(op.security).toBeUndefined(); // the document's default: the bearer key
    expect(Object.keys(op.responses)).toContain('4XX');
  });
});
