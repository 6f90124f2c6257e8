import { z } from 'zod';
import { IsoTimestamp } from '../primitives.ts';

/** What a webhook can ask to be told about; `recovered` is an agent back to healthy from a failure (or its flapping cleared). */
export const WebhookEventName = z.enum(['degraded', 'unreachable', 'stalled', 'flapping', 'recovered']);
/** A webhook event name. */
export type WebhookEventName = z.infer<typeof WebhookEventName>;

/** Every webhook event name, in the order the CLI lists them. */
export const WEBHOOK_EVENT_NAMES = WebhookEventName.options;

/** What a new webhook is told about when it does not say: every failure and flapping, not recoveries. */
export const DEFAULT_WEBHOOK_EVENTS: readonly WebhookEventName[] = Object.freeze(['degraded', 'unreachable', 'stalled', 'flapping']);

/** How a delivery's body is shaped: Vigil's JSON (Standard Webhooks), a Slack incoming webhook, PagerDuty Events API v2. */
export const WebhookFormat = z.enum(['json', 'slack', 'pagerduty']);
/** A webhook format. */
export type WebhookFormat = z.infer<typeof WebhookFormat>;

/** A webhook as listed: never its secret, which is shown once when it is created. */
export const WebhookView = z.object({
  id: z.string(),
  url: z.string(),
  format: WebhookFormat,
  events: z.array(WebhookEventName),
  /** PagerDuty routing key, shown masked (last 4 characters) once stored. */
  routingKey: z.string().nullable(),
  createdAt: IsoTimestamp,
});
/** Webhook view. */
export type WebhookView = z.infer<typeof WebhookView>;

/** The answer to creating a webhook: the view plus its signing secret (`whsec_<base64>`), shown this once. */
export const WebhookCreated = WebhookView.extend({ secret: z.string().startsWith('whsec_') });
/** Webhook created. */
export type WebhookCreated = z.infer<typeof WebhookCreated>;

/** Where a delivery is: waiting for its next attempt, acknowledged by the receiver (2xx), dead-lettered, or cancelled with its webhook. */
export const DeliveryStatus = z.enum(['pending', 'delivered', 'dead', 'cancelled']);
/** Delivery status. */
export type DeliveryStatus = z.infer<typeof DeliveryStatus>;

/** One delivery of one notification to one webhook, with its attempts. `id` is the `webhook-id` header (stable across retries). */
export const DeliveryView = z.object({
  id: z.string(),
  webhookId: z.string(),
  /** `agent.degraded`, `agent.recovered`, `agents.grouped`, `webhook.test`, ... */
  type: z.string(),
  agentId: z.string().nullable(),
  status: DeliveryStatus,
  attempts: z.number().int().nonnegative(),
  createdAt: IsoTimestamp,
  lastAttemptAt: IsoTimestamp.nullable(),
  nextAttemptAt: IsoTimestamp.nullable(),
  deliveredAt: IsoTimestamp.nullable(),
  /** HTTP status of the last answer, null when there was none (network error, timeout). */
  lastStatus: z.number().int().nullable(),
  lastError: z.string().nullable(),
  /** The start of the receiver's last answer body (at most 256 characters); nothing more is kept. */
  responseExcerpt: z.string().nullable(),
});
/** Delivery view. */
export type DeliveryView = z.infer<typeof DeliveryView>;
