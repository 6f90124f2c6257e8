import type { Counter } from '@vigil/http';
import { checkWebhookUrl, type AttemptOutcome, type DeliveryRecord, type WebhookStore } from '@vigil/webhooks';
import type { Logger } from 'pino';
import { parseRetryAfterMs, retryDelayMs } from './backoff.ts';
import type { NotifierConfig } from './config.ts';
import { renderBody } from './formats/render.ts';
import type { Sender } from './http-sender.ts';
import type { StoredNotification } from './notification.ts';
import { signatureHeaders } from './signing.ts';

/** Outcomes counted by `vigil_webhook_deliveries_total{outcome}`. */
export type DeliveryOutcome = 'delivered' | 'retried' | 'dead';

/** What the dispatcher needs. */
export interface DispatcherDeps {
  readonly store: WebhookStore;
  readonly send: Sender;
  readonly now: () => number;
  /** In [0, 1): the jitter of backoffs. */
  readonly random: () => number;
  readonly logger: Logger;
  readonly outcomes?: Counter;
}

function retriableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}

/**
 * Sends due deliveries: signs each attempt to the Standard Webhooks spec, records the outcome with the delivery, and
 * plans the next attempt. 2xx is acknowledged (delivered); a network error, a timeout, 408, 429 and 5xx are retried
 * with exponential backoff and jitter, honouring Retry-After; after `maxAttempts` the delivery is dead-lettered, as
 * is at once any other answer (a 4xx will not change by itself). A crash between a receiver's 2xx and the record
 * repeats the attempt: delivery is at least once, and `webhook-id` lets the receiver drop the repeat.
 */
export class Dispatcher {
  private readonly inFlight = new Set<string>();

  constructor(
    private readonly deps: DispatcherDeps,
    private readonly config: NotifierConfig,
  ) {}

  /** Deliveries being attempted right now. */
  get busy(): number {
    return this.inFlight.size;
  }

  /** Starts attempts for due deliveries up to the concurrency limit; resolves when those attempts are recorded. */
  async runOnce(): Promise<number> {
    const room = this.config.concurrency - this.inFlight.size;
    if (room <= 0) return 0;
    const due = this.deps.store.dueDeliveries(this.deps.now(), room, this.inFlight);
    for (const d of due) this.inFlight.add(d.id);
    await Promise.all(due.map((d) => this.attempt(d).finally(() => this.inFlight.delete(d.id))));
    return due.length;
  }

  private count(outcome: DeliveryOutcome): void {
    this.deps.outcomes?.inc({ outcome });
  }

  private async attempt(d: DeliveryRecord): Promise<void> {
    const { store, logger } = this.deps;
    const webhook = store.getWebhook(d.tenant, d.webhookId);
    const startedAt = this.deps.now();
    if (webhook === null) {
      store.markDead(d.id, { at: startedAt, status: null, error: 'the webhook was removed', responseExcerpt: null });
      return;
    }
    let url: string;
    try {
      url = checkWebhookUrl(webhook.url, this.config.allowPrivate);
    } catch (err) {
      store.markDead(d.id, { at: startedAt, status: null, error: err instanceof Error ? err.message : String(err), responseExcerpt: null });
      this.count('dead');
      return;
    }
    const notification = JSON.parse(d.payload) as StoredNotification;
    const body = renderBody(notification.body, webhook);
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Vigil-Notifier/1',
      'vigil-event': notification.event,
      ...signatureHeaders(webhook.secret, d.id, Math.floor(startedAt / 1000), body),
    };
    const result = await this.deps.send({ url, headers, body, timeoutMs: this.config.timeoutMs });
    const at = this.deps.now();
    const attempts = d.attempts + 1;
    const log = { deliveryId: d.id, webhookId: d.webhookId, tenant: d.tenant, type: d.type, attempts };
    if (result.kind === 'answer' && result.status >= 200 && result.status < 300) {
      store.markDelivered(d.id, { at, status: result.status, error: null, responseExcerpt: result.excerpt });
      this.count('delivered');
      logger.debug({ ...log, status: result.status, latencyMs: at - d.createdAt }, 'webhook delivered');
      return;
    }
    const outcome: AttemptOutcome =
      result.kind === 'answer'
        ? { at, status: result.status, error: `HTTP ${result.status}`, responseExcerpt: result.excerpt }
        : { at, status: null, error: result.error, responseExcerpt: null };
    const retriable = result.kind === 'no-answer' || retriableStatus(result.status);
    if (!retriable || attempts >= this.config.maxAttempts) {
      store.markDead(d.id, { ...outcome, error: `${outcome.error}${retriable ? `; gave up after ${attempts} attempts` : '; not retried (only network errors, timeouts, 408, 429 and 5xx are)'}` });
      this.count('dead');
      logger.warn({ ...log, status: outcome.status, error: outcome.error }, 'webhook delivery dead-lettered');
      return;
    }
    const retryAfter = result.kind === 'answer' ? parseRetryAfterMs(result.retryAfter, at) : null;
    const next = at + retryDelayMs(attempts, this.config, this.deps.random, retryAfter);
    store.markRetry(d.id, outcome, next);
    this.count('retried');
    logger.info({ ...log, status: outcome.status, error: outcome.error, nextAttemptAt: new Date(next).toISOString() }, 'webhook delivery failed; will retry');
  }
}
