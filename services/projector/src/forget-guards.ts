import { agentKey } from '@vigil/contracts';
import type { Tombstone } from '@vigil/store';

interface PartitionGuards {
  readonly agents: Set<string>;
  /** No guard of the partition has a release offset below this (it may be lower than the true minimum, never higher). */
  lowest: number;
}

/**
 * The projector's guards of the agents it forgot, so that an event of a forgotten life delivered late does not start
 * the agent's stream (or read-model row) again.
 *
 * Why late: the detector's `agent-forgotten` fact arrives on status-transitions, but agent-events is folded by the
 * projector's other consumer, which may not have reached the agent's last kill, resume, goodbye or thresholds yet
 * (it falls behind whenever beats pile up). Such an event, not newer than the guard's cutoff (the later of the forget
 * time and the last beat), belongs to the forgotten life and is dropped.
 *
 * Why they survive a restart: each guard is also the read model's tombstone of the agent, written in the read-model
 * transaction that folds the fact and moves its checkpoint, and the projector loads the tombstones again when it
 * starts. The agent's event-store stream is deleted before that transaction; a crash between the two leaves the
 * fact's batch uncommitted, so it is folded again and deletes again whatever slipped into the stream meanwhile.
 *
 * When a guard goes (what keeps them bounded): every event of the forgotten life precedes, on the agent's partition
 * of agent-events, the record that made the detector forget it (the operator's request, or the tick at which the
 * retention ran out), and the detector writes the fact only after reading that record. So the end offset the
 * partition has when the projector reads the fact lies past every event of the forgotten life; once the events
 * consumer has committed that offset (a restart or a rebalance resumes from the committed offset, never before it),
 * none of them can be delivered again, and the guard is released. Records from that offset on came after the forget
 * in the detector's order too: they are the agent's new life. So guards are held only while the events consumer is
 * behind the fact — at most the agents forgotten in that time, however long the platform runs.
 */
export class ForgetGuards {
  readonly #byAgent = new Map<string, Tombstone>();
  readonly #byPartition = new Map<number, PartitionGuards>();

  /** Guards held. */
  get size(): number {
    return this.#byAgent.size;
  }

  /** Guards an agent (again: a second forget of the same agent keeps the later cutoff and release point). */
  add(guard: Tombstone): void {
    const key = agentKey(guard.tenant, guard.agentId);
    const previous = this.#byAgent.get(key);
    if (previous !== undefined) this.#byPartition.get(previous.partition)?.agents.delete(key);
    const merged: Tombstone =
      previous === undefined
        ? guard
        : { ...guard, cutoff: Math.max(previous.cutoff, guard.cutoff), releaseOffset: Math.max(previous.releaseOffset, guard.releaseOffset) };
    this.#byAgent.set(key, merged);
    let partition = this.#byPartition.get(merged.partition);
    if (partition === undefined) this.#byPartition.set(merged.partition, (partition = { agents: new Set(), lowest: merged.releaseOffset }));
    partition.agents.add(key);
    partition.lowest = Math.min(partition.lowest, merged.releaseOffset);
  }

  /** The cutoff (epoch ms) of a guarded agent: its events not newer than it belong to the forgotten life. */
  cutoffOf(tenant: string, agentId: string): number | undefined {
    return this.#byAgent.get(agentKey(tenant, agentId))?.cutoff;
  }

  /** Whether some guard of `partition` could be released once the events consumer has committed `offset`. */
  mayRelease(partition: number, offset: number): boolean {
    const guards = this.#byPartition.get(partition);
    return guards !== undefined && guards.agents.size > 0 && guards.lowest <= offset;
  }

  /** Releases the guards of `partition` whose release offset `committedOffset` has reached; returns how many. */
  release(partition: number, committedOffset: number): number {
    const guards = this.#byPartition.get(partition);
    if (guards === undefined) return 0;
    let released = 0;
    let lowest = Number.POSITIVE_INFINITY;
    for (const key of guards.agents) {
      const guard = this.#byAgent.get(key)!;
      if (guard.releaseOffset <= committedOffset) {
        guards.agents.delete(key);
        this.#byAgent.delete(key);
        released++;
      } else {
        lowest = Math.min(lowest, guard.releaseOffset);
      }
    }
    guards.lowest = lowest;
    if (guards.agents.size === 0) this.#byPartition.delete(partition);
    return released;
  }
}
