import { InMemoryApiKeyResolver } from '@vigil/http';
import { SqliteWebhookStore } from '@vigil/webhooks';
import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { AUTH, createHarness, type Harness } from '../../../test/support/service-harness.ts';
import { buildQueryApp } from './build-app.ts';
import { queryConfig } from './config.ts';

let h: Harness;
let store: SqliteWebhookStore;
let app: FastifyInstance;
const GLOBEX = { authorization: 'Bearer test-key-globex' };

function build(allowPrivateWebhooks: boolean): FastifyInstance {
  return buildQueryApp(
    { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: h.apiKeys, logger: h.logger, now: h.now, newId: h.newId, webhooks: store, allowPrivateWebhooks },
    queryConfig(),
  );
}

beforeEach(async () => {
  h = await createHarness();
  store = new SqliteWebhookStore({ path: ':memory:' });
  app = build(false);
  await app.ready();
});
afterEach(async () => {
  await app.close();
  await store.close();
  await h.close();
});

const create = (payload: unknown, headers: Record<string, string> = AUTH) => app.inject({ method: 'POST', url: '/v1/webhooks', headers, payload: payload as Record<string, unknown> });

describe('webhook routes', () => {
  it('creates a webhook with a whsec_ secret shown once, lists it without the secret, per tenant', async () => {
    const res = await create({ url: 'https://hooks.example.com/vigil' });
    expect(res.statusCode).toBe(201);
    const created = res.json();
    expect(created).toMatchObject({ url: 'https://hooks.example.com/vigil', format: 'json', events: ['degraded', 'unreachable', 'stalled', 'flapping'], routingKey: null });
    expect(created.secret).toMatch(/^whsec_/);
    const list = (await app.inject({ method: 'GET', url: '/v1/webhooks', headers: AUTH })).json();
    expect(list.items).toHaveLength(1);
    expect(JSON.stringify(list)).not.toContain(created.secret);
    expect((await app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}`, headers: AUTH })).json()).not.toHaveProperty('secret');
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: GLOBEX })).json().items).toEqual([]);
    expect((await app.inject({ method: 'GET', url: `/v1/webhooks/${created.id}`, headers: GLOBEX })).json().error.code).toBe('VIGIL_ERR_WEBHOOK_NOT_FOUND');
    expect((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: GLOBEX })).statusCode).toBe(404);
    expect((await app.inject({ method: 'DELETE', url: `/v1/webhooks/${created.id}`, headers: AUTH })).statusCode).toBe(204);
    expect((await app.inject({ method: 'GET', url: '/v1/webhooks', headers: AUTH })).json().items).toEqual([]);
  });

  it.each([
    [{ url: 'ftp://x.example/' }, 'url', 'VIGIL_ERR_WEBHOOK_URL_REFUSED'],
    [{ url: 'http://127.0.0.1:9000/' }, 'url', 'VIGIL_ERR_WEBHOOK_URL_REFUSED'],
    [{ url: 'https://x.example/', events: ['exploded'] }, 'events.0', 'VIGIL_ERR_VALIDATION'],
    [{ url: 'https://x.example/', events: [] }, 'events', 'VIGIL_ERR_VALIDATION'],
    [{ url: 'https://x.example/', format: 'teams' }, 'format', 'VIGIL_ERR_VALIDATION'],
    [{ url: 'https://events.pagerduty.com/v2/enqueue', format: 'pagerduty' }, 'routingKey', 'VIGIL_ERR_VALIDATION'],
    [{ url: 'https://x.example/', routingKey: 'abc' }, 'routingKey', 'VIGIL_ERR_VALIDATION'],
    [{ url: 'https://x.example/', secret: 'mine' }, 'secret', 'VIGIL_ERR_VALIDATION'],
  ])('refuses %j naming the field', async (payload, field, code) => {
    const res = await create(payload);
    expect(res.statusCode).toBe(400);
    expect(res.json().error).toMatchObject({ code, field });
    expect(store.listWebhooks('acme')).toEqual([]);
  });

  it('accepts loopback targets when private targets are allowed, and PagerDuty with a masked routing key (recoveries by default)', async () => {
    await app.close();
    app = build(true);
    await app.ready();
    expect((await create({ url: 'http://127.0.0.1:9000/hook' })).statusCode).toBe(201);
    const pd = (await create({ url: 'https://events.pagerduty.com/v2/enqueue', format: 'pagerduty', routingKey: 'R0UTINGKEY1234' })).json();
    expect(pd).toMatchObject({ routingKey: '****1234', events: ['degraded', 'unreachable', 'stalled', 'flapping', 'recovered'] });
  });

  it('queues a test delivery, lists deliveries, and re-sends only dead ones', async () => {
    const { id } = (await create({ url: 'https://hooks.example.com/vigil' })).json();
    const test = await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/test`, headers: AUTH });
    expect(test.statusCode).toBe(202);
    const { deliveryId } = test.json();
    const page = (await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=10`, headers: AUTH })).json();
    expect(page.items).toMatchObject([{ id: deliveryId, type: 'webhook.test', status: 'pending', attempts: 0 }]);
    const notDead = await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/deliveries/${deliveryId}/resend`, headers: AUTH });
    expect(notDead.statusCode).toBe(409);
    expect(notDead.json().error.code).toBe('VIGIL_ERR_DELIVERY_NOT_DEAD');
    store.markDead(deliveryId, { at: h.now(), status: 500, error: 'HTTP 500', responseExcerpt: 'boom' });
    const resent = await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/deliveries/${deliveryId}/resend`, headers: AUTH });
    expect(resent.statusCode).toBe(202);
    expect(resent.json()).toMatchObject({ id: deliveryId, status: 'pending', attempts: 0 });
    expect((await app.inject({ method: 'POST', url: `/v1/webhooks/${id}/deliveries/nope/resend`, headers: AUTH })).json().error.code).toBe('VIGIL_ERR_DELIVERY_NOT_FOUND');
    expect((await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries?limit=0`, headers: AUTH })).json().error.field).toBe('limit');
    expect((await app.inject({ method: 'GET', url: `/v1/webhooks/${id}/deliveries`, headers: GLOBEX })).statusCode).toBe(404);
  });

  it('refuses an agent-role key with 403 naming the role, and stores nothing', async () => {
    await app.close();
    app = buildQueryApp(
      { log: h.log, readModel: h.readModel, topics: h.topics, apiKeys: new InMemoryApiKeyResolver({ 'agent-key-123': { tenant: 'acme', role: 'agent' } }), logger: h.logger, now: h.now, webhooks: store },
      queryConfig(),
    );
    await app.ready();
    const res = await create({ url: 'https://hooks.example.com/' }, { authorization: 'Bearer agent-key-123' });
    expect(res.statusCode).toBe(403);
    expect(res.json().error.message).toContain('operator');
    expect(store.listWebhooks('acme')).toEqual([]);
  });

  it('declares the operator role on every webhook route', async () => {
    const routes: { url: string; role: unknown }[] = [];
    const probe = build(false);
    probe.addHook('onRoute', (r) => {
      if (r.url.startsWith('/v1/webhooks')) routes.push({ url: `${String(r.method)} ${r.url}`, role: (r.config as { role?: unknown } | undefined)?.role });
    });
    await probe.ready();
    await probe.close();
    expect(routes.length).toBeGreaterThanOrEqual(7);
    expect(routes.filter((r) => r.role !== 'operator')).toEqual([]);
  });
});
