import type { TopicNames } from '@vigil/contracts';
import type { ApiKeyResolver, ApiKeyStore, MetricsRegistry, Scheduler } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { EventStore, ReadModel } from '@vigil/store';
import type { WebhookStore } from '@vigil/webhooks';
import type { Logger } from 'pino';

/** What the query routes need: ports only, never another service. */
export interface QueryDeps {
  /** Kill, resume and thresholds are appended here, never written to state directly. */
  readonly log: EventLog;
  readonly readModel: ReadModel;
  /** The event store, read by `GET /v1/agents/:id/history` only; without it that route answers 503. */
  readonly store?: EventStore;
  readonly topics: TopicNames;
  readonly apiKeys: ApiKeyResolver;
  /** Where `/v1/keys` (admin) creates, lists and revokes keys; without it those routes are absent. */
  readonly keys?: ApiKeyStore;
  readonly logger: Logger;
  /** Epoch ms; the time of control events. Default `Date.now`. */
  readonly now?: () => number;
  /** Event ids. Default `randomUUID`. */
  readonly newId?: () => string;
  /** Where counters go; share one with the ingest plugin on the embedded app. */
  readonly metrics?: MetricsRegistry;
  /** Timers of the transition streams (poll, keepalive); default `setInterval`. */
  readonly scheduler?: Scheduler;
  /** Where webhooks live; without it the `/v1/webhooks` routes are absent (no notifier configured). */
  readonly webhooks?: WebhookStore;
  /** Webhooks may target private and loopback addresses (VIGIL_WEBHOOK_ALLOW_PRIVATE=1). */
  readonly allowPrivateWebhooks?: boolean;
  /**
   * The detector's platform default retention (`vigil up --forget-after`, `VIGIL_FORGET_AFTER`), which
   * `GET /v1/retention` answers for a tenant that set none. Default: the detector's default, 7 days.
   */
  readonly platformForgetAfterMs?: number;
}
