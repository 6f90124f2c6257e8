/**
 * Test wiring for the ingest and query specs: the REAL embedded log (in memory) and SQLite read model, a settable clock and
 * one API key. Not exported from the package's entry.
 */
import {
  CONTRACT_VERSION,
  agentKey,
  decodeAgentEvent,
  topicNames,
  type AgentEvent,
  type AgentStatus,
  type DetectorOutputEvent,
  type TopicNames,
} from '@vigil/contracts';
import { InMemoryApiKeyResolver, MetricsRegistry } from '@vigil/http';
import { createInMemoryLog, type EventLog } from '@vigil/log';
import { SqliteReadModel, type ReadModel } from '@vigil/store';
import { pino, type Logger } from 'pino';

/** The key of tenant `acme` in the harness. */
export const API_KEY = 'test-key-acme';
/** The tenant of API_KEY. */
export const TENANT = 'acme';
/** Partitions of agent-events in the harness. */
export const PARTITIONS = 4;
/** 2025-01-01T00:00:00.000Z, the harness clock's start. */
export const T0 = Date.UTC(2025, 0, 1);

/** Everything a service test needs. */
export interface Harness {
  readonly log: EventLog;
  readonly readModel: ReadModel;
  readonly topics: TopicNames;
  readonly apiKeys: InMemoryApiKeyResolver;
  readonly metrics: MetricsRegistry;
  readonly logger: Logger;
  readonly clock: { now: number };
  readonly now: () => number;
  readonly newId: () => string;
  close(): Promise<void>;
}

/** Opens a fresh log (agent-events with PARTITIONS partitions) and read model. */
export async function createHarness(): Promise<Harness> {
  const log = createInMemoryLog();
  const topics = topicNames(`vigil-test-${process.pid}-${Math.random().toString(36).slice(2)}.`);
  await log.ensureTopic(topics.agentEvents, { partitions: PARTITIONS });
  await log.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS });
  const readModel = new SqliteReadModel({ path: ':memory:' });
  const clock = { now: T0 };
  let ids = 0;
  return {
    log,
    readModel,
    topics,
    apiKeys: new InMemoryApiKeyResolver({ [API_KEY]: TENANT, 'test-key-globex': 'globex' }),
    metrics: new MetricsRegistry(),
    logger: pino({ level: 'silent' }),
    clock,
    now: () => clock.now,
    newId: () => `id-${++ids}`,
    async close() {
      await readModel.close();
      await log.close();
    },
  };
}

/** End offsets of every partition of a topic: the proof that nothing was appended. */
export async function endOffsets(log: EventLog, topic: string): Promise<number[]> {
  const partitions = await log.partitionCount(topic);
  return Promise.all(Array.from({ length: partitions }, (_, p) => log.endOffset(topic, p)));
}

/** Every event of agent-events, partition by partition. */
export async function readAgentEvents(h: Harness): Promise<(AgentEvent & { partition: number; key: string | null })[]> {
  const out: (AgentEvent & { partition: number; key: string | null })[] = [];
  for (let p = 0; p < PARTITIONS; p++) {
    for (const record of await h.log.read(h.topics.agentEvents, p, 0, 10_000)) {
      out.push({ ...decodeAgentEvent(record.value), partition: p, key: record.key });
    }
  }
  return out;
}

let checkpoint = 0;

/** Makes the read model know an agent in a status, as the projector would after the detector's outputs. */
export async function seedAgent(h: Harness, agentId: string, status: AgentStatus, tenant = TENANT): Promise<void> {
  const time = new Date(h.clock.now).toISOString();
  const base = { version: CONTRACT_VERSION, time, tenant, agentId } as const;
  const outputs: DetectorOutputEvent[] = [
    { ...base, type: 'agent-registered', id: `reg-${agentId}`, data: { instanceId: 'default', intervalSeconds: 30 } },
    {
      ...base,
      type: 'status-transitioned',
      id: `tr-${agentId}-healthy`,
      data: { from: 'unknown', to: 'healthy', at: time, detectedAt: time, reason: 'first heartbeat', lastHeartbeatAt: time },
    },
  ];
  if (status !== 'healthy') {
    outputs.push({
      ...base,
      type: 'status-transitioned',
      id: `tr-${agentId}-${status}`,
      data: { from: 'healthy', to: status, at: time, detectedAt: time, reason: `seeded ${status}`, lastHeartbeatAt: time },
    });
  }
  await h.readModel.apply(outputs, { topic: h.topics.statusTransitions, partition: 0, nextOffset: (checkpoint += outputs.length) });
  if (status === 'killed') {
    const killed: AgentEvent = { ...base, type: 'agent-killed', id: `kill-${agentId}`, data: { by: 'test', reason: 'seeded' } };
    await h.readModel.apply([killed], { topic: h.topics.agentEvents, partition: 0, nextOffset: ++checkpoint });
  }
}

/** `Authorization` header of the harness tenant. */
export const AUTH = { authorization: `Bearer ${API_KEY}` } as const;

/** The key of an agent of the harness tenant. */
export function keyOf(agentId: string): string {
  return agentKey(TENANT, agentId);
}

/** The log with some methods replaced (a failing append, an unready log), the rest delegated to the real one. */
export function logWith(log: EventLog, overrides: Partial<EventLog>): EventLog {
  return new Proxy(log, {
    get(target, prop, _receiver) {
      if (prop in overrides) return overrides[prop as keyof EventLog];
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Makes the read model hold one transition, as the projector would after the detector emitted it. */
export async function seedTransition(h: Harness, agentId: string, id: string, at: number, to: AgentStatus = 'degraded', tenant = TENANT): Promise<void> {
  const time = new Date(at).toISOString();
  const event: DetectorOutputEvent = {
    version: CONTRACT_VERSION,
    type: 'status-transitioned',
    id,
    time,
    tenant,
    agentId,
    data: { from: 'healthy', to, at: time, detectedAt: time, reason: `went ${to}`, lastHeartbeatAt: time },
  };
  await h.readModel.apply([event], { topic: h.topics.statusTransitions, partition: 1, nextOffset: ++checkpoint });
}
