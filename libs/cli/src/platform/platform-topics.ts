import type { TopicNames } from '@vigil/contracts';
import type { EventLog } from '@vigil/log';

/** Retention of the agent-events topic: heartbeats are only needed until every consumer has read them. */
export const AGENT_EVENTS_RETENTION_MS = 24 * 3600 * 1000;
/** Retention of the transitions topic (the read model and event store keep the history). */
export const TRANSITIONS_RETENTION_MS = 7 * 24 * 3600 * 1000;

/**
 * Creates the two public topics if missing, with the platform's retention. Run by whoever owns the topics: the
 * embedded platform, or the ingest service in distributed mode (the other services wait for them).
 */
export async function ensurePlatformTopics(log: EventLog, topics: TopicNames, partitions: number): Promise<void> {
  await log.ensureTopic(topics.agentEvents, { partitions, retentionMs: AGENT_EVENTS_RETENTION_MS });
  await log.ensureTopic(topics.statusTransitions, { partitions, retentionMs: TRANSITIONS_RETENTION_MS });
}
