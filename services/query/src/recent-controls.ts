/** Which control event this process last appended for an agent, and when (the event's time, epoch ms). */
export interface RecentControl {
  readonly type: 'kill' | 'resume';
  readonly at: number;
}

/** How many agents' last control events a query process remembers; the oldest entry goes first when it is full. */
export const RECENT_CONTROLS_CAPACITY = 10_000;

/**
 * The last kill or resume this process appended per agent, so a resume sent right after a kill is judged against the
 * log's order rather than the read model's lag: the kill is on the log (its append was acknowledged before the 202),
 * and the resume lands after it on the same partition, so the detector sees them in that order.
 *
 * An entry is trusted only until the read model has moved past it: once the agent's `statusSince` is after the
 * entry's time, the projected state reflects something later (possibly from another process) and is the better judge.
 * (Strictly after: the projected kill itself is stamped at the kill's time, and either way the entry agrees with it.) Memory is per process and bounded; a kill sent through another query process is
 * still judged by the read model.
 */
export class RecentControls {
  private readonly entries = new Map<string, RecentControl>();

  constructor(private readonly capacity = RECENT_CONTROLS_CAPACITY) {}

  /** Remembers that this process appended a kill or resume for the agent at `at`. */
  record(tenant: string, agentId: string, control: RecentControl): void {
    const key = keyOf(tenant, agentId);
    this.entries.delete(key);
    this.entries.set(key, control);
    if (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next();
      if (oldest.done !== true) this.entries.delete(oldest.value);
    }
  }

  /**
   * The agent's last control event from this process that the read model has not moved past, or null when the read
   * model (whose status changed at `statusSince`, epoch ms) is newer.
   */
  pending(tenant: string, agentId: string, statusSince: number): RecentControl | null {
    const key = keyOf(tenant, agentId);
    const entry = this.entries.get(key);
    if (entry === undefined) return null;
    if (statusSince > entry.at) {
      this.entries.delete(key);
      return null;
    }
    return entry;
  }

  /** Entries held (for tests of the bound). */
  get size(): number {
    return this.entries.size;
  }
}

function keyOf(tenant: string, agentId: string): string {
  return `${tenant}\u0000${agentId}`;
}
