import type { AgentState } from './agent-state.ts';

/**
 * The agents of one partition, by tenant then agent id. Two levels rather than one map keyed `<tenant>/<agentId>`:
 * building that key for every event was the detector's largest cost (a string concatenation, then hashing the
 * flattened copy), while the two lookups hash strings the parsed event already holds.
 */
export class AgentIndex {
  private readonly byTenant = new Map<string, Map<string, AgentState>>();
  private count = 0;

  /** Number of agents. */
  get size(): number {
    return this.count;
  }

  /** The agent, or undefined. */
  get(tenant: string, agentId: string): AgentState | undefined {
    return this.byTenant.get(tenant)?.get(agentId);
  }

  /** Adds an agent not yet indexed. */
  add(agent: AgentState): void {
    let agents = this.byTenant.get(agent.tenant);
    if (agents === undefined) this.byTenant.set(agent.tenant, (agents = new Map()));
    if (!agents.has(agent.agentId)) this.count++;
    agents.set(agent.agentId, agent);
  }

  /** Removes an agent (forgotten); true if it was indexed. */
  delete(agent: AgentState): boolean {
    const agents = this.byTenant.get(agent.tenant);
    if (agents === undefined || agents.get(agent.agentId) !== agent) return false;
    agents.delete(agent.agentId);
    if (agents.size === 0) this.byTenant.delete(agent.tenant);
    this.count--;
    return true;
  }

  /** Every agent, tenant by tenant. */
  *values(): IterableIterator<AgentState> {
    for (const agents of this.byTenant.values()) yield* agents.values();
  }

  /** The agents of one tenant. */
  ofTenant(tenant: string): IterableIterator<AgentState> {
    return (this.byTenant.get(tenant) ?? new Map<string, AgentState>()).values();
  }
}
