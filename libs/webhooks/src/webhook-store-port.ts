import type { DeliveryStatus, WebhookEventName, WebhookFormat } from '@vigil/contracts';

/** A webhook as stored, secret included (only the notifier reads it; the API never lists it again). */
export interface WebhookRecord {
  readonly id: string;
  readonly tenant: string;
  readonly url: string;
  readonly format: WebhookFormat;
  readonly events: readonly WebhookEventName[];
  readonly routingKey: string | null;
  readonly secret: string;
  /** Epoch ms; a webhook is told only of what was detected after it existed. */
  readonly createdAt: number;
}

/** A delivery to create: one notification for one webhook. `payload` is the notification's JSON, shaped per format when sent. */
export interface NewDelivery {
  /** `msg_…`, derived from webhook and notification, so re-taking a notification in never doubles its delivery. */
  readonly id: string;
  readonly webhookId: string;
  readonly tenant: string;
  readonly type: string;
  readonly agentId: string | null;
  readonly payload: string;
  readonly createdAt: number;
}

/** A delivery with its attempts so far. Times are epoch ms. */
export interface DeliveryRecord extends NewDelivery {
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly nextAttemptAt: number | null;
  readonly lastAttemptAt: number | null;
  readonly deliveredAt: number | null;
  readonly lastStatus: number | null;
  readonly lastError: string | null;
  readonly responseExcerpt: string | null;
}

/** The outcome of one attempt, recorded with the delivery. */
export interface AttemptOutcome {
  readonly at: number;
  readonly status: number | null;
  readonly error: string | null;
  readonly responseExcerpt: string | null;
}

/** A notification held back for grouping: failures of a tenant wait a moment to see whether many agents fail together. */
export interface HeldNotification {
  readonly id: string;
  readonly tenant: string;
  readonly type: string;
  readonly agentId: string | null;
  /** Epoch ms when the notifier took it in. */
  readonly heldAt: number;
  readonly payload: string;
}

/** What the notifier changes in one transaction: its progress on the log lands with what it derived, or neither does. */
export interface NotifierTx {
  /** The next offset the notifier has yet to take in on a partition (null: never). */
  checkpoint(topic: string, partition: number): number | null;
  saveCheckpoint(topic: string, partition: number, nextOffset: number): void;
  hold(notification: HeldNotification): void;
  release(ids: readonly string[]): void;
  /** Releases an agent's held notifications unsent; returns how many there were. */
  releaseAgent(tenant: string, agentId: string): number;
  /** Adds a delivery unless one of that id exists. */
  addDelivery(delivery: NewDelivery): void;
  labelsOf(tenant: string, agentId: string): Readonly<Record<string, string>>;
  setLabels(tenant: string, agentId: string, labels: Readonly<Record<string, string>>): void;
  /** Records whether the agent is flapping; returns what it was. */
  setFlapping(tenant: string, agentId: string, flapping: boolean): boolean;
  addGroupMembers(groupId: string, tenant: string, agentIds: readonly string[]): void;
  /** Removes the agent from its tenant's open groups: whether it was in one, and the groups left with no member (all recovered). */
  removeGroupMember(tenant: string, agentId: string): { readonly wasMember: boolean; readonly emptied: string[] };
}

/** One page of deliveries, newest first. */
export interface DeliveryPage {
  readonly items: DeliveryRecord[];
  readonly nextCursor: string | null;
}

/**
 * Where webhooks, their deliveries and the notifier's progress live: one store that the query service (webhook
 * routes) and the notifier (delivery) share, in embedded mode the platform's file, in distributed mode the file
 * `VIGIL_WEBHOOK_STORE` names for both.
 */
export interface WebhookStore {
  createWebhook(record: WebhookRecord): void;
  listWebhooks(tenant: string): WebhookRecord[];
  getWebhook(tenant: string, id: string): WebhookRecord | null;
  /** Every webhook of every tenant (the notifier's view), oldest first. */
  allWebhooks(): WebhookRecord[];
  /** Removes a webhook and cancels its pending deliveries; false when there was none. */
  deleteWebhook(tenant: string, id: string): boolean;
  /** Adds a delivery at once (test deliveries, which skip grouping). */
  addDelivery(delivery: NewDelivery): void;
  getDelivery(tenant: string, webhookId: string, deliveryId: string): DeliveryRecord | null;
  listDeliveries(tenant: string, webhookId: string, limit: number, cursor: string | null): DeliveryPage;
  /** Puts a dead delivery back to pending, attempts reset, due at `now`. */
  resend(tenant: string, webhookId: string, deliveryId: string, now: number): DeliveryRecord;
  /** Pending deliveries due at `now`, soonest first, skipping `exclude` (those in flight). */
  dueDeliveries(now: number, limit: number, exclude: ReadonlySet<string>): DeliveryRecord[];
  /** When the next pending delivery is due (null: none). */
  nextDueAt(): number | null;
  markDelivered(id: string, outcome: AttemptOutcome): void;
  markRetry(id: string, outcome: AttemptOutcome, nextAttemptAt: number): void;
  markDead(id: string, outcome: AttemptOutcome): void;
  /** Notifications held for grouping, oldest first. */
  heldNotifications(): HeldNotification[];
  /** Pending deliveries plus held notifications: the notifier's queue. */
  queueDepth(): number;
  transaction<T>(work: (tx: NotifierTx) => T): T;
  isReady(): Promise<boolean>;
  close(): Promise<void>;
}
