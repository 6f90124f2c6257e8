import type { AgentStatus, TopicNames } from '@vigil/contracts';
import type { ApiKeyResolver, MetricsRegistry } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { ReadModel } from '@vigil/store';
import type { Logger } from 'pino';
import type { HeartbeatIntake } from './heartbeat-intake.ts';

/** A batch lookup of agents' statuses (absent from the map: unknown agent). */
export interface AgentStatusLookup {
  agentStatuses(tenant: string, agentIds: readonly string[]): Promise<Map<string, AgentStatus>>;
}

/** What the ingest routes need: ports only, never another service. */
export interface IngestDeps {
  readonly log: EventLog;
  /** Read to tell each beating agent whether it is killed. */
  readonly readModel: ReadModel;
  /**
   * Answers the beats' statuses in place of `readModel.agentStatuses` (embedded mode: a cache the read model's writer
   * keeps current). Default: the read model.
   */
  readonly statuses?: AgentStatusLookup;
  readonly topics: TopicNames;
  readonly apiKeys: ApiKeyResolver;
  readonly logger: Logger;
  /**
   * Parses, validates and appends the JSON bodies of `POST /v1/heartbeats` (embedded mode: on its writer thread).
   * Default: on this thread, to `log` (LocalHeartbeatIntake, with `newId`).
   */
  readonly intake?: HeartbeatIntake;
  /** Epoch ms; the source of `receivedAt`. Default `Date.now`. */
  readonly now?: () => number;
  /** Event ids. Default `randomUUID`. */
  readonly newId?: () => string;
  /** Where counters go; share one with the query plugin on the embedded app. */
  readonly metrics?: MetricsRegistry;
}
