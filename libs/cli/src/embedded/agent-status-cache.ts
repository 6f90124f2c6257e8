import type { AgentStatus } from '@vigil/contracts';
import type { AgentStatusLookup } from '@vigil/ingest';
import type { AgentStatusChange } from '@vigil/store';

/** Entries beyond which the cache starts over (far above any fleet's agents; bounds memory against id churn). */
const DEFAULT_CAPACITY = 2_000_000;

/**
 * The status every heartbeat answer carries, from memory: embedded mode's HTTP thread answers each beat with its agent's
 * status, and a read of the read model per beat cost more than the rest of the route's own work. Filled by reads of
 * the read model on a miss (an unknown agent is cached as unknown too), and kept current by the read model's writer
 * (the writer thread), which sends every committed status change (`SqliteReadModel.onStatusChanges`) right after its
 * commit; a change is applied whether or not the agent is cached. A read that a change overtook is used for its answer
 * but not kept, so a stale read never replaces a newer change.
 */
export class AgentStatusCache implements AgentStatusLookup {
  /** Where the cache reads what it does not hold: the read model's batch status lookup. */
  readonly #source: AgentStatusLookup;
  readonly #capacity: number;
  /** `tenant/agentId` (a tenant never holds "/") to status; null: no such agent in the read model. */
  readonly #statuses = new Map<string, AgentStatus | null>();
  /** Counts applied change batches, so a read can tell whether one arrived while it ran. */
  #version = 0;
  #hits = 0;
  #misses = 0;

  constructor(source: AgentStatusLookup, options: { capacity?: number } = {}) {
    this.#source = source;
    this.#capacity = options.capacity ?? DEFAULT_CAPACITY;
  }

  /** The status of each known agent among `agentIds` (absent: unknown), from memory where it can. */
  async agentStatuses(tenant: string, agentIds: readonly string[]): Promise<Map<string, AgentStatus>> {
    const statuses = new Map<string, AgentStatus>();
    let missing: string[] | null = null;
    for (const agentId of agentIds) {
      const status = this.#statuses.get(`${tenant}/${agentId}`);
      if (status === undefined) (missing ??= []).push(agentId);
      else if (status !== null) statuses.set(agentId, status);
    }
    if (missing === null) {
      this.#hits += agentIds.length;
      return statuses;
    }
    this.#hits += agentIds.length - missing.length;
    this.#misses += missing.length;
    const version = this.#version;
    const read = await this.#source.agentStatuses(tenant, missing);
    const keep = version === this.#version;
    if (keep && this.#statuses.size + missing.length > this.#capacity) this.#statuses.clear();
    for (const agentId of missing) {
      const status = read.get(agentId) ?? null;
      if (status !== null) statuses.set(agentId, status);
      if (keep) this.#statuses.set(`${tenant}/${agentId}`, status);
    }
    return statuses;
  }

  /** Applies committed changes from the read model's writer, in the order they were committed. */
  apply(changes: readonly AgentStatusChange[]): void {
    this.#version++;
    if (this.#statuses.size + changes.length > this.#capacity) this.#statuses.clear();
    for (const change of changes) this.#statuses.set(`${change.tenant}/${change.agentId}`, change.status);
  }

  /** Entries held, and lookups answered from memory or from the read model, for tests and metrics. */
  stats(): { readonly size: number; readonly hits: number; readonly misses: number } {
    return { size: this.#statuses.size, hits: this.#hits, misses: this.#misses };
  }
}
