import { randomUUID } from 'node:crypto';
import { decodeOutputEvent, InvalidEventError, type DetectorOutputEvent, type TopicNames } from '@vigil/contracts';
import { intervalScheduler, type Cancel, type MetricsRegistry, type Scheduler } from '@vigil/http';
import type { EventLog, LogConsumer, RecordBatch } from '@vigil/log';
import type { HeldNotification, WebhookStore } from '@vigil/webhooks';
import type { Logger } from 'pino';
import type { NotifierConfig } from './config.ts';
import { Dispatcher } from './dispatcher.ts';
import { planFlush, type GroupWindow } from './grouper.ts';
import { applyFlush } from './held-flush.ts';
import { fetchSender, type Sender } from './http-sender.ts';
import { takeIn, type IntakeResult } from './intake.ts';

/** What the notifier is built from: ports only. */
export interface NotifierDeps {
  readonly log: EventLog;
  readonly topics: TopicNames;
  readonly store: WebhookStore;
  readonly logger: Logger;
  readonly metrics?: MetricsRegistry;
  /** Epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** Runs the delivery loop; default `setInterval`. */
  readonly scheduler?: Scheduler;
  readonly send?: Sender;
  readonly random?: () => number;
  readonly newId?: () => string;
}

/** The notifier's consumer group on the status-transitions topic, per topic prefix. */
export function notifierGroupId(topicPrefix: string): string {
  return `${topicPrefix}notifier`;
}

/** Counters for logs and tests. */
export interface NotifierStats {
  readonly poisonEvents: number;
  readonly held: number;
  readonly queued: number;
}

/**
 * The notifier: a consumer of `status-transitions` in its own group, like any user's consumer. Each batch is taken
 * in with the notifier's checkpoint in ONE store transaction (failures held for grouping, other notifications as
 * deliveries: an outbox), so a crash or restart loses nothing and a redelivered batch adds nothing. A loop then
 * groups held failures and sends due deliveries (see `Dispatcher`), recording every attempt.
 */
export class NotifierService {
  private consumer: LogConsumer | null = null;
  private cancelLoop: Cancel | null = null;
  private readonly dispatcher: Dispatcher;
  private readonly windows = new Map<string, GroupWindow>();
  private readonly now: () => number;
  private readonly newId: () => string;
  private pumping: Promise<void> | null = null;
  private again = false;
  private stopped = false;
  private poisonEvents = 0;
  private held = 0;
  private queued = 0;

  constructor(
    private readonly deps: NotifierDeps,
    private readonly config: NotifierConfig,
    private readonly groupId: string,
  ) {
    this.now = deps.now ?? Date.now;
    this.newId = deps.newId ?? (() => `grp_${randomUUID()}`);
    const outcomes = deps.metrics?.counter('vigil_webhook_deliveries_total', 'Webhook delivery attempts by outcome (delivered, retried, dead)', ['outcome']);
    this.dispatcher = new Dispatcher(
      { store: deps.store, send: deps.send ?? fetchSender, now: this.now, random: deps.random ?? Math.random, logger: deps.logger, ...(outcomes ? { outcomes } : {}) },
      config,
    );
    if (deps.metrics) {
      const depth = deps.metrics.gauge('vigil_webhook_queue_depth', 'Notifications waiting: deliveries pending (including retries) plus failures held for grouping');
      deps.metrics.onCollect(() => {
        try {
          depth.set({}, deps.store.queueDepth());
        } catch {
          // A closed or busy store leaves the last value; /readyz says why.
        }
      });
    }
  }

  /** Joins the consumer group and starts the delivery loop. */
  async start(): Promise<void> {
    this.stopped = false;
    const consumer = this.deps.log.consumer({ groupId: this.groupId, topic: this.deps.topics.statusTransitions, fromBeginning: true });
    this.consumer = consumer;
    await consumer.start({ eachBatch: (batch) => this.handleBatch(batch) });
    this.cancelLoop = (this.deps.scheduler ?? intervalScheduler).every(this.config.pollIntervalMs, () => this.wake());
    this.wake();
  }

  /** Leaves the group after the batch in hand, stops the loop and waits for the attempts in flight to be recorded. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.cancelLoop?.();
    this.cancelLoop = null;
    await this.consumer?.stop();
    this.consumer = null;
    await this.pumping;
  }

  /** Current counters. */
  stats(): NotifierStats {
    return { poisonEvents: this.poisonEvents, held: this.held, queued: this.queued };
  }

  /** Takes one batch in; exposed for tests that drive the notifier without a consumer. */
  async handleBatch(batch: RecordBatch): Promise<void> {
    const { store, topics } = this.deps;
    const webhooks = store.allWebhooks();
    const result: IntakeResult = { held: 0, deliveries: 0 };
    store.transaction((tx) => {
      const from = tx.checkpoint(batch.topic, batch.partition) ?? 0;
      let next = from;
      for (const r of batch.records) {
        if (r.offset < from) continue; // taken in before a crash, not yet committed on the log
        next = r.offset + 1;
        let event: DetectorOutputEvent;
        try {
          event = decodeOutputEvent(r.value);
        } catch (err) {
          if (!(err instanceof InvalidEventError)) throw err;
          this.poisonEvents++;
          this.deps.logger.warn({ err, topic: topics.statusTransitions, partition: batch.partition, offset: r.offset }, 'skipping invalid event');
          continue;
        }
        takeIn(event, tx, { webhooks, now: this.now(), publicUrl: this.config.publicUrl }, result);
      }
      if (next > from) tx.saveCheckpoint(batch.topic, batch.partition, next);
    });
    this.held += result.held;
    this.queued += result.deliveries;
    if (result.held > 0 || result.deliveries > 0) this.wake();
  }

  /** Runs one round of the loop soon (coalesced: one round at a time, one more if woken meanwhile). */
  wake(): void {
    if (this.pumping !== null) {
      this.again = true;
      return;
    }
    this.pumping = (async () => {
      do {
        this.again = false;
        try {
          await this.runOnce();
        } catch (err) {
          this.deps.logger.error({ err }, 'notifier round failed; retrying on the next round');
        }
      } while (this.again && !this.stopped);
    })().finally(() => {
      this.pumping = null;
    });
  }

  /** One round: flush held failures that have waited long enough, then attempt due deliveries. */
  async runOnce(): Promise<void> {
    this.flushHeld();
    if (this.stopped) return;
    await this.dispatcher.runOnce();
  }

  private flushHeld(): void {
    const { store } = this.deps;
    const held = store.heldNotifications();
    if (held.length === 0) return;
    const byTenant = new Map<string, HeldNotification[]>();
    for (const h of held) {
      let list = byTenant.get(h.tenant);
      if (list === undefined) byTenant.set(h.tenant, (list = []));
      list.push(h);
    }
    const now = this.now();
    const webhooks = store.allWebhooks();
    for (const [tenant, items] of byTenant) {
      const plan = planFlush(items, this.windows.get(tenant), now, this.config, this.newId);
      if (plan.kind === 'wait') continue;
      const added = store.transaction((tx) => applyFlush(tx, plan, webhooks, this.config.publicUrl, now));
      this.windows.set(tenant, plan.window);
      this.queued += added;
      if (plan.kind === 'group') this.deps.logger.info({ tenant, groupId: plan.groupId, agents: items.length, followUp: plan.followUp }, 'grouped failing agents into one notification');
    }
  }
}
