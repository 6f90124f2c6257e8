import type { AgentStatus, AgentView, DetectorOutputEvent, AgentEvent, FleetSummary, MetricPoint, Page, TransitionView } from '@vigil/contracts';

/** Where a projection has read up to in one source partition; stored atomically with what it wrote. */
export interface ProjectionCheckpoint {
  /** Source topic. */
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to read. */
  readonly nextOffset: number;
}

/** Order of `listAgents`: by id (default), worst status first then oldest status first, or most recently seen first. */
export type AgentSort = 'id' | 'severity' | 'lastSeen';

/** One `key:value` label an agent must carry. */
export interface LabelMatch {
  readonly key: string;
  readonly value: string;
}

/** Filter of `listAgents`. */
export interface AgentFilter {
  readonly status?: AgentStatus;
  readonly deliverable?: boolean;
  readonly flapping?: boolean;
  /** `key=value` label match (kept for callers that pass one; joined with `labels`). */
  readonly label?: LabelMatch;
  /** Every one of these labels must match. */
  readonly labels?: readonly LabelMatch[];
  /** Prefix of the agent id or of any of its label values. */
  readonly q?: string;
  /** Default `id`. A cursor only continues the order it was issued for. */
  readonly sort?: AgentSort;
  readonly limit: number;
  readonly cursor?: string;
}

/** A transition with its place in the read model's fold order (`seq` only grows, across tenants and restarts). */
export interface SequencedTransition {
  readonly seq: number;
  readonly transition: TransitionView;
}

/** Options of `listTransitions`. */
export interface TransitionQuery {
  /** Only this agent's, or the whole tenant's when absent. */
  readonly agentId?: string;
  readonly limit: number;
  readonly cursor?: string;
}

/** Options of `metrics`. */
export interface MetricQuery {
  readonly resolution: '1m' | '1h';
  /** Epoch ms, inclusive. */
  readonly from?: number;
  /** Epoch ms, exclusive. */
  readonly to?: number;
  readonly limit: number;
}

/**
 * When a forgotten agent's tombstone may go: once the projector's consumer of agent-events has committed
 * `releaseOffset` on `partition` (the agent's partition of agent-events), no event of the forgotten life can reach it
 * any more (the rule is argued in services/projector/src/forget-guards.ts).
 */
export interface TombstoneRelease {
  readonly tenant: string;
  readonly agentId: string;
  /** The agent's partition of agent-events. */
  readonly partition: number;
  /** The end offset that partition had when the projector read the agent-forgotten fact. */
  readonly releaseOffset: number;
}

/** A tombstone waiting for its release: events of the agent not newer than `cutoff` belong to its forgotten life. */
export interface Tombstone extends TombstoneRelease {
  /** Epoch ms: the later of the forget time and the forgotten life's last beat. */
  readonly cutoff: number;
}

/** A tenant's own retention, as folded from its latest `retention-set`. */
export interface TenantRetention {
  /** Agents stopped or unreachable this long are forgotten. */
  readonly forgetAfterMs: number;
  /** When it was set (the event's time), ISO 8601. */
  readonly setAt: string;
}

/** One partition's batch for `ReadModel.applyMany`. */
export interface ProjectionBatch {
  readonly events: readonly (AgentEvent | DetectorOutputEvent)[];
  readonly checkpoint: ProjectionCheckpoint;
  /**
   * Release points of the batch's agent-forgotten facts, stored with their tombstones in the same transaction. A
   * tombstone folded without one (no projector told it) is pruned with the transitions instead.
   */
  readonly tombstoneReleases?: readonly TombstoneRelease[];
}

/**
 * The read model: the current state of every agent, fleet counts, recent transitions and metric windows, folded from
 * both topics. Writes carry the checkpoint they advance, applied atomically, so a restart neither loses nor repeats.
 */
export interface ReadModel {
  /** Folds events read from one topic partition and advances its checkpoint, all or nothing. */
  apply(
    events: readonly (AgentEvent | DetectorOutputEvent)[],
    checkpoint: ProjectionCheckpoint,
    tombstoneReleases?: readonly TombstoneRelease[],
  ): Promise<void>;
  /** Optional: folds several partitions' batches all or nothing, in one write (the projector groups a turn's batches). */
  applyMany?(batches: readonly ProjectionBatch[]): Promise<void>;
  /**
   * Tombstones that wait for their release point: a projector loads them when it starts, so that the cut-offs of the
   * agents it forgot survive a restart (it guards the event store with them too).
   */
  tombstones(): Promise<Tombstone[]>;
  /** Deletes the tombstones of agent-events `partition` whose release offset is at or before `committedOffset`; returns how many. */
  releaseTombstones(partition: number, committedOffset: number): Promise<number>;
  /**
   * The tenant's own retention (what the detector applies instead of the platform default), or null when it has none:
   * the detector keeps it in memory, so the read model folds `retention-set` too, to answer `GET /v1/retention`.
   */
  tenantRetention(tenant: string): Promise<TenantRetention | null>;
  /** The checkpoint of a topic partition, or null. */
  checkpoint(topic: string, partition: number): Promise<number | null>;
  getAgent(tenant: string, agentId: string): Promise<AgentView | null>;
  /** Optional: the status of each known agent among `agentIds` (absent: unknown), in one read; for heartbeat answers. */
  agentStatuses?(tenant: string, agentIds: readonly string[]): Promise<Map<string, AgentStatus>>;
  listAgents(tenant: string, filter: AgentFilter): Promise<Page<AgentView>>;
  /** Newest first. */
  listTransitions(tenant: string, query: TransitionQuery): Promise<Page<TransitionView>>;
  fleetSummary(tenant: string): Promise<FleetSummary>;
  /** Agents per status over every tenant (for the unauthenticated /metrics, which must not name tenants). */
  fleetTotals(): Promise<Readonly<Record<AgentStatus, number>>>;
  /**
   * Transitions folded after `afterSeq`, in fold order, at most `limit`; of one tenant, or of all (the stream hub
   * reads once for every client and hands each tenant its own).
   */
  transitionsAfter(afterSeq: number, limit: number, tenant?: string): Promise<SequencedTransition[]>;
  /** Fold sequence of a tenant's transition, or null when it is not (or no longer) held. */
  transitionSeq(tenant: string, id: string): Promise<number | null>;
  /** Sequence of the newest folded transition (0 if none yet). */
  latestTransitionSeq(): Promise<number>;
  /**
   * Calls `listener` after each `apply` that folded at least one new transition, in this process. Absent or silent
   * when another process writes the file; readers then poll `latestTransitionSeq`. Returns the unsubscribe.
   */
  onTransitionsFolded(listener: () => void): () => void;
  /** Oldest first; 1h windows are rolled up from the 1m summaries by merging their sketches. */
  metrics(tenant: string, agentId: string, query: MetricQuery): Promise<MetricPoint[]>;
  close(): Promise<void>;
}
