import { randomBytes } from 'node:crypto';
import type { FastifyInstance } from 'fastify';
import { DEFAULT_WEBHOOK_EVENTS, DeliveryView, WebhookCreated, WebhookEventName, WebhookFormat, WebhookView, pageOf } from '@vigil/contracts';
import { parseInput, queryInt, QueryCursor, routeSchema, tenantOf, ValidationError } from '@vigil/http';
import { checkWebhookUrl, newWebhookSecret, WebhookNotFoundError, type DeliveryRecord, type WebhookRecord, type WebhookStore } from '@vigil/webhooks';
import { z } from 'zod';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE } from './request-schemas.ts';

/** What the webhook routes need. */
export interface WebhookRouteDeps {
  readonly store: WebhookStore;
  /** Private and loopback targets allowed (VIGIL_WEBHOOK_ALLOW_PRIVATE=1). */
  readonly allowPrivate: boolean;
  readonly now: () => number;
  readonly bodyLimitBytes: number;
}

/** Body of `POST /v1/webhooks`. */
export const CreateWebhookBody = z.strictObject({
  url: z.string().min(1).max(2048),
  events: z.array(WebhookEventName).min(1, 'must name at least one event').optional(),
  format: WebhookFormat.default('json'),
  routingKey: z.string().min(1).max(128).optional(),
});

const WebhookParams = z.strictObject({ id: z.string().min(1).max(64) });
const DeliveryParams = z.strictObject({ id: z.string().min(1).max(64), deliveryId: z.string().min(1).max(64) });
const DeliveriesQuery = z.strictObject({ limit: queryInt(1, MAX_PAGE_SIZE).optional(), cursor: QueryCursor.optional() });
const TestAccepted = z.object({ accepted: z.literal(true), deliveryId: z.string() });

function maskKey(key: string | null): string | null {
  return key === null ? null : `****${key.slice(-4)}`;
}

/** The listed form of a webhook: never its secret, its routing key masked. */
export function webhookView(w: WebhookRecord): WebhookView {
  return { id: w.id, url: w.url, format: w.format, events: [...w.events], routingKey: maskKey(w.routingKey), createdAt: new Date(w.createdAt).toISOString() };
}

const isoOrNull = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

/** The listed form of a delivery (its payload stays in the store). */
export function deliveryView(d: DeliveryRecord): DeliveryView {
  return {
    id: d.id,
    webhookId: d.webhookId,
    type: d.type,
    agentId: d.agentId,
    status: d.status,
    attempts: d.attempts,
    createdAt: new Date(d.createdAt).toISOString(),
    lastAttemptAt: isoOrNull(d.lastAttemptAt),
    nextAttemptAt: d.status === 'pending' ? isoOrNull(d.nextAttemptAt) : null,
    deliveredAt: isoOrNull(d.deliveredAt),
    lastStatus: d.lastStatus,
    lastError: d.lastError,
    responseExcerpt: d.responseExcerpt,
  };
}

/**
 * Webhooks of the caller's tenant (operator role): create (the secret is in this answer only), list, show, remove,
 * send a test, list deliveries, re-send a dead one. The routes write the shared webhook store; the notifier, in this
 * process or another, delivers.
 */
export function registerWebhookRoutes(app: FastifyInstance, deps: WebhookRouteDeps): void {
  const { store } = deps;
  const operator = { role: 'operator' as const };
  const webhookOf = (tenant: string, id: string): WebhookRecord => {
    const w = store.getWebhook(tenant, id);
    if (w === null) throw new WebhookNotFoundError(id);
    return w;
  };

  app.post(
    '/v1/webhooks',
    {
      config: operator,
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Create a webhook',
        description:
          'Notifies `url` of the tenant\'s failures (`events`, default degraded, unreachable, stalled, flapping; add `recovered` for recoveries). The answer holds the signing secret (`whsec_…`), shown this once. `format` json (Standard Webhooks), slack or pagerduty (needs `routingKey`).',
        tags: ['webhooks'],
        body: CreateWebhookBody,
        response: { 201: WebhookCreated },
      }),
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const body = parseInput(CreateWebhookBody, request.body, { whenMissing: 'request body is required: send {"url": "https://…"}' });
      const url = checkWebhookUrl(body.url, deps.allowPrivate);
      if (body.format === 'pagerduty' && body.routingKey === undefined) throw new ValidationError('routingKey: is required with format pagerduty (the integration key of the PagerDuty service)', 'routingKey');
      if (body.format !== 'pagerduty' && body.routingKey !== undefined) throw new ValidationError('routingKey: is only for format pagerduty', 'routingKey');
      const defaults = body.format === 'pagerduty' ? [...DEFAULT_WEBHOOK_EVENTS, 'recovered' as const] : DEFAULT_WEBHOOK_EVENTS;
      const record: WebhookRecord = {
        id: `wh_${randomBytes(9).toString('base64url')}`,
        tenant,
        url,
        format: body.format,
        events: [...new Set(body.events ?? defaults)],
        routingKey: body.routingKey ?? null,
        secret: newWebhookSecret(),
        createdAt: deps.now(),
      };
      store.createWebhook(record);
      const answer: WebhookCreated = { ...webhookView(record), secret: record.secret };
      return reply.code(201).send(answer);
    },
  );

  app.get(
    '/v1/webhooks',
    { config: operator, schema: routeSchema({ summary: "The tenant's webhooks", tags: ['webhooks'], response: { 200: pageOf(WebhookView) } }) },
    async (request) => ({ items: store.listWebhooks(tenantOf(request)).map(webhookView), nextCursor: null }),
  );

  app.get(
    '/v1/webhooks/:id',
    { config: operator, schema: routeSchema({ summary: 'One webhook', tags: ['webhooks'], params: WebhookParams, response: { 200: WebhookView } }) },
    async (request) => {
      const { id } = parseInput(WebhookParams, request.params);
      return webhookView(webhookOf(tenantOf(request), id));
    },
  );

  app.delete(
    '/v1/webhooks/:id',
    { config: operator, schema: routeSchema({ summary: 'Remove a webhook', description: 'Its pending deliveries are cancelled.', tags: ['webhooks'], params: WebhookParams }) },
    async (request, reply) => {
      const { id } = parseInput(WebhookParams, request.params);
      if (!store.deleteWebhook(tenantOf(request), id)) throw new WebhookNotFoundError(id);
      return reply.code(204).send();
    },
  );

  app.post(
    '/v1/webhooks/:id/test',
    {
      config: operator,
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Send a test delivery',
        description: 'Queues a `webhook.test` delivery, signed and retried like any other; follow it with GET /v1/webhooks/:id/deliveries.',
        tags: ['webhooks'],
        params: WebhookParams,
        response: { 202: TestAccepted },
      }),
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const { id } = parseInput(WebhookParams, request.params);
      const webhook = webhookOf(tenant, id);
      const now = deps.now();
      const deliveryId = `msg_${randomBytes(15).toString('base64url')}`;
      const body = { type: 'webhook.test', timestamp: new Date(now).toISOString(), data: { tenant, webhookId: webhook.id, message: 'a test delivery from Vigil; nothing is wrong' } };
      store.addDelivery({ id: deliveryId, webhookId: webhook.id, tenant, type: body.type, agentId: null, payload: JSON.stringify({ event: deliveryId, body }), createdAt: now });
      return reply.code(202).send({ accepted: true, deliveryId });
    },
  );

  app.get(
    '/v1/webhooks/:id/deliveries',
    {
      config: operator,
      schema: routeSchema({
        summary: "A webhook's deliveries, newest first",
        description: 'Status (pending, delivered, dead, cancelled), attempts, last answer status, last error and a short excerpt of the answer.',
        tags: ['webhooks'],
        params: WebhookParams,
        querystring: DeliveriesQuery,
        response: { 200: pageOf(DeliveryView) },
      }),
    },
    async (request) => {
      const tenant = tenantOf(request);
      const { id } = parseInput(WebhookParams, request.params);
      const q = parseInput(DeliveriesQuery, request.query);
      webhookOf(tenant, id);
      const page = store.listDeliveries(tenant, id, q.limit ?? DEFAULT_PAGE_SIZE, q.cursor ?? null);
      return { items: page.items.map(deliveryView), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/v1/webhooks/:id/deliveries/:deliveryId/resend',
    {
      config: operator,
      bodyLimit: deps.bodyLimitBytes,
      schema: routeSchema({
        summary: 'Re-send a dead delivery',
        description: 'Puts a dead-lettered delivery back in the queue with its attempts reset; same `webhook-id`. 409 unless it is dead.',
        tags: ['webhooks'],
        params: DeliveryParams,
        response: { 202: DeliveryView },
      }),
    },
    async (request, reply) => {
      const tenant = tenantOf(request);
      const { id, deliveryId } = parseInput(DeliveryParams, request.params);
      webhookOf(tenant, id);
      return reply.code(202).send(deliveryView(store.resend(tenant, id, deliveryId, deps.now())));
    },
  );
}
