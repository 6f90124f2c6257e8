/** Default prefix of the two public topics; configurable per deployment. */
export const DEFAULT_TOPIC_PREFIX = 'vigil.';

/** Names of the public topics for a prefix. */
export interface TopicNames {
  /** Heartbeats, ticks, kill/resume/stop, thresholds: the detector's input. */
  readonly agentEvents: string;
  /** Transitions, metric summaries and lifecycle facts: the detector's output. */
  readonly statusTransitions: string;
}

/** The topic names for a prefix (`vigil.` by default). */
export function topicNames(prefix: string = DEFAULT_TOPIC_PREFIX): TopicNames {
  return { agentEvents: `${prefix}agent-events`, statusTransitions: `${prefix}status-transitions` };
}

/** The log key of an agent: every event of one agent is on one partition, in order. */
export function agentKey(tenant: string, agentId: string): string {
  return `${tenant}/${agentId}`;
}

/** Splits a log key back into tenant and agent id. */
export function parseAgentKey(key: string): { tenant: string; agentId: string } {
  const slash = key.indexOf('/');
  if (slash <= 0) throw new Error(`not an agent key: ${JSON.stringify(key)}`);
  return { tenant: key.slice(0, slash), agentId: key.slice(slash + 1) };
}

/**
 * The event-store stream of an agent: `agent-<tenant>/<agentId>`. A tenant never holds `/` (TenantId), so the first
 * `/` splits the two unambiguously; the former `agent-<tenant>-<agentId>` made tenant `a-b` agent `c` and tenant `a`
 * agent `b-c` one stream. The category (EventStoreDB's text before the first `-`) stays `agent`.
 */
export function agentStreamName(tenant: string, agentId: string): string {
  return `agent-${tenant}/${agentId}`;
}
