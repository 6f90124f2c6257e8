import Fastify, { type FastifyInstance } from 'fastify';
import { createInMemoryLog, type EventLog } from '@vigil/log';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { apiKeysTopic } from './api-key-records.ts';
import { apiScope } from './api-scope.ts';
import { InMemoryApiKeyResolver } from './api-keys.ts';
import { registerKeyRoutes } from './key-routes.ts';
import { LogApiKeyRegistry } from './log-key-registry.ts';

const ADMIN = { authorization: 'Bearer admin-key-0123456789' };
let log: EventLog;
let keys: LogApiKeyRegistry;
let app: FastifyInstance;

beforeEach(async () => {
  log = createInMemoryLog();
  keys = new LogApiKeyRegistry({
    log,
    topic: apiKeysTopic('t.'),
    logger: pino({ level: 'silent' }),
    staticKeys: new InMemoryApiKeyResolver({ 'admin-key-0123456789': { tenant: 'default', role: 'admin' } }),
  });
  await keys.start();
  app = Fastify();
  await app.register(async (scope) => {
    apiScope(scope, keys);
    registerKeyRoutes(scope, keys);
  });
});
afterEach(async () => {
  await app.close();
  await keys.stop();
  await log.close();
});

describe('/v1/keys', () => {
  it('creates a key shown once, lists it without the key, and revokes it', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/keys', headers: ADMIN, payload: { tenant: 'acme', role: 'agent', name: 'fleet' } });
    expect(created.statusCode).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const body = created.json<{ id: string; key: string; tenant: string; role: string; name: string }>();
    expect(body).toMatchObject({ tenant: 'acme', role: 'agent', name: 'fleet' });
    const list = await app.inject({ method: 'GET', url: '/v1/keys?tenant=acme', headers: ADMIN });
    expect(list.json().items.map((k: { id: string }) => k.id)).toEqual([body.id]);
    expect(list.body).not.toContain(body.key);
    const revoked = await app.inject({ method: 'DELETE', url: `/v1/keys/${body.id}`, headers: ADMIN });
    expect(revoked.statusCode).toBe(200);
    expect(keys.resolve(body.key)).toBeNull();
    const again = await app.inject({ method: 'DELETE', url: `/v1/keys/${body.id}`, headers: ADMIN });
    expect([again.statusCode, again.json().error.code]).toEqual([404, 'VIGIL_ERR_KEY_NOT_FOUND']);
  });

  it('defaults the tenant to the admin key’s', async () => {
    const created = await app.inject({ method: 'POST', url: '/v1/keys', headers: ADMIN, payload: { role: 'operator' } });
    expect(created.json()).toMatchObject({ tenant: 'default', role: 'operator', name: 'operator key of default' });
  });

  it.each([
    [undefined, 'request body is required'],
    [{ tenant: 'acme' }, 'role'],
    [{ role: 'root' }, 'role'],
    [{ role: 'agent', tenant: 'Acme Corp' }, 'tenant'],
    [{ role: 'agent', name: '' }, 'name'],
    [{ role: 'agent', key: 'choose-my-own' }, 'key'],
  ])('refuses %o with 400 naming the field, and stores nothing', async (payload, field) => {
    const res = await app.inject({ method: 'POST', url: '/v1/keys', headers: ADMIN, ...(payload === undefined ? {} : { payload }) });
    expect(res.statusCode).toBe(400);
    expect(res.json().error.code).toBe('VIGIL_ERR_VALIDATION');
    expect(`${res.json().error.field ?? ''} ${res.json().error.message}`).toContain(field);
    expect(await log.endOffset(apiKeysTopic('t.'), 0)).toBe(0);
  });

  it('refuses an id that is not a key id, and the static key with 409', async () => {
    const bad = await app.inject({ method: 'DELETE', url: '/v1/keys/not-an-id', headers: ADMIN });
    expect([bad.statusCode, bad.json().error.field]).toEqual([400, 'id']);
    const staticId = keys.list()[0]!.id;
    const res = await app.inject({ method: 'DELETE', url: `/v1/keys/${staticId}`, headers: ADMIN });
    expect([res.statusCode, res.json().error.code]).toEqual([409, 'VIGIL_ERR_KEY_NOT_REVOCABLE']);
  });
});
