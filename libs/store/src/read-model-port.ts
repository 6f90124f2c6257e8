import type { AgentStatus, AgentView, DetectorOutputEvent, AgentEvent, FleetSummary, MetricPoint, Page, TransitionView } from '@vigil/contracts';

/** Where a projection has read up to in one source partition; stored atomically with what it wrote. */
export interface ProjectionCheckpoint {
  /** Source topic. */
  readonly topic: string;
  readonly partition: number;
  /** Offset of the next record to read. */
  readonly nextOffset: number;
}

/** Filter of `listAgents`. */
export interface AgentFilter {
  readonly status?: AgentStatus;
  readonly deliverable?: boolean;
  readonly flapping?: boolean;
  /** `key=value` label match. */
  readonly label?: { readonly key: string; readonly value: string };
  readonly limit: number;
  readonly cursor?: string;
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
 * The read model: the current state of every agent, fleet counts, recent transitions and metric windows, folded from
 * both topics. Writes carry the checkpoint they advance, applied atomically, so a restart neither loses nor repeats.
 */
export interface ReadModel {
  /** Folds events read from one topic partition and advances its checkpoint, all or nothing. */
  apply(events: readonly (AgentEvent | DetectorOutputEvent)[], checkpoint: ProjectionCheckpoint): Promise<void>;
  /** The checkpoint of a topic partition, or null. */
  checkpoint(topic: string, partition: number): Promise<number | null>;
  getAgent(tenant: string, agentId: string): Promise<AgentView | null>;
  listAgents(tenant: string, filter: AgentFilter): Promise<Page<AgentView>>;
  /** Newest first. */
  listTransitions(tenant: string, query: TransitionQuery): Promise<Page<TransitionView>>;
  fleetSummary(tenant: string): Promise<FleetSummary>;
  /** Oldest first; 1h windows are rolled up from the 1m summaries by merging their sketches. */
  metrics(tenant: string, agentId: string, query: MetricQuery): Promise<MetricPoint[]>;
  close(): Promise<void>;
}
