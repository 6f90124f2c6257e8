import { agentKey, CONTRACT_VERSION, type AgentEvent, type DetectorOutputEvent, type TopicNames } from '@vigil/contracts';
import { replay } from '@vigil/core';
import { partitionForKey, type EventLog, type ProduceRecord } from '@vigil/log';

/** Shape of the generated log. */
export interface ForgetLogOptions {
  /** Agents beating every 10 s for the whole horizon: the backlog of beats. */
  readonly agents: number;
  /** Agents an operator kills (half of them resumed) and then forgets, near the end. */
  readonly victims: number;
  readonly horizonMs: number;
  readonly partitions: number;
}

/** An agent that the log forgets, and where its late events are. */
export interface ForgottenAgent {
  readonly tenant: string;
  readonly agentId: string;
  readonly cause: 'operator' | 'retention';
  /** Its partition of agent-events. */
  readonly partition: number;
  /** Offset of its first lifecycle event (kill, resume, goodbye, thresholds) on agent-events. */
  readonly firstLifecycleOffset: number;
}

/** What `writeForgetLog` wrote. */
export interface ForgetLog {
  readonly forgotten: readonly ForgottenAgent[];
  /** Agents that beat until the end: never forgotten. */
  readonly kept: readonly string[];
  readonly agentEvents: number;
  readonly outputs: number;
}

const TENANT = 'acme';
const INTERVAL_MS = 10_000;
/** The retention the detector ran with (`forgetAfter`), short enough for the retired agent to be forgotten in the log. */
export const FORGET_AFTER_MS = 60_000;
const T0 = Date.UTC(2026, 3, 1);
const iso = (at: number): string => new Date(T0 + at).toISOString();

interface Timed {
  readonly at: number;
  readonly event: AgentEvent;
  readonly partition?: number;
}

/**
 * Writes a log in which the projector's consumer of agent-events falls far behind its consumer of status-transitions,
 * as it does under beats: `agents` agents beat every 10 s (with a tick in every partition each second), while the
 * outputs — computed by the real detector core, `replay()`, over the same events — are one transition per agent plus
 * those of the forgotten ones. Near the end, `victims` agents are killed (every other one resumed) and forgotten on
 * request, and one agent says goodbye, gets per-agent thresholds, and is forgotten by a 60 s retention. Their kills,
 * resumes, goodbye and thresholds are on agent-events after the whole backlog, so a projector reads their
 * `agent-forgotten` facts long before it reads them.
 */
export async function writeForgetLog(log: EventLog, topics: TopicNames, options: ForgetLogOptions): Promise<ForgetLog> {
  const { horizonMs: H } = options;
  const timeline: Timed[] = [];
  let ids = 0;
  const id = (): string => `forget-log-${++ids}`;
  const beatsOf = (agentId: string, from: number, until: number): void => {
    for (let at = from; at < until; at += INTERVAL_MS) {
      timeline.push({
        at,
        event: {
          version: CONTRACT_VERSION,
          id: id(),
          time: iso(at),
          tenant: TENANT,
          agentId,
          type: 'heartbeat',
          data: { instanceId: 'i-1', intervalSeconds: INTERVAL_MS / 1000, seq: at, sentAt: iso(at - 3), receivedAt: iso(at) },
        },
      });
    }
  };
  const lifecycle = new Map<string, string[]>();
  const push = (at: number, agentId: string, event: Omit<AgentEvent, 'version' | 'id' | 'time' | 'tenant' | 'agentId'>): void => {
    const full = { version: CONTRACT_VERSION, id: id(), time: iso(at), tenant: TENANT, agentId, ...event } as AgentEvent;
    if (event.type !== 'agent-forgotten') lifecycle.set(agentId, [...(lifecycle.get(agentId) ?? []), full.id]);
    timeline.push({ at, event: full });
  };

  const kept: string[] = [];
  for (let a = 0; a < options.agents; a++) {
    const agentId = `agent-${String(a).padStart(5, '0')}`;
    kept.push(agentId);
    beatsOf(agentId, 1 + ((a * 997) % INTERVAL_MS), H);
  }
  const victims: string[] = [];
  for (let v = 0; v < options.victims; v++) {
    const agentId = `victim-${String(v).padStart(3, '0')}`;
    victims.push(agentId);
    const forgetAt = H - 30_000 + v;
    beatsOf(agentId, 1 + ((v * 331) % INTERVAL_MS), forgetAt);
    push(H - 60_000 + v, agentId, { type: 'agent-killed', data: { by: 'ops', reason: 'runaway cost' } });
    if (v % 2 === 0) push(H - 50_000 + v, agentId, { type: 'agent-resumed', data: { by: 'ops' } });
    push(forgetAt, agentId, { type: 'agent-forgotten', data: { by: 'ops', reason: 'decommissioned' } });
  }
  const retired = 'retired-000';
  beatsOf(retired, 5, H - 150_000);
  push(H - 150_000 + 1, retired, { type: 'agent-stopped', data: { instanceId: 'i-1', reason: 'deploy' } });
  push(H - 140_000, retired, { type: 'thresholds-set', data: { degradedAfterMs: 20_000, unreachableAfterMs: 60_000 } });
  for (let at = 0; at <= H; at += 1000) {
    for (let p = 0; p < options.partitions; p++) {
      timeline.push({ at, partition: p, event: { type: 'tick', version: CONTRACT_VERSION, id: id(), time: iso(at), data: { partition: p } } });
    }
  }
  // Event-time order, ticks first within a millisecond (as the platform writes them): each partition in order.
  timeline.sort((x, y) => x.at - y.at || Number(y.event.type === 'tick') - Number(x.event.type === 'tick'));

  const events = timeline.map((t) => t.event);
  const outputs = replay(events, { config: { forgetAfterMs: FORGET_AFTER_MS } });
  const facts = new Map(outputs.filter((o) => o.type === 'agent-forgotten').map((o) => [o.agentId, o]));
  for (const agentId of [...victims, retired]) {
    if (!facts.has(agentId)) throw new Error(`the detector did not forget ${agentId}: the generated log is wrong`);
  }

  const firstOffset = new Map<string, number>();
  const lifecycleIds = new Map([...lifecycle].flatMap(([agentId, list]) => list.map((eventId) => [eventId, agentId] as const)));
  for (let i = 0; i < timeline.length; i += 10_000) {
    const chunk = timeline.slice(i, i + 10_000);
    const records: ProduceRecord[] = chunk.map((t) => ({
      key: t.event.type === 'tick' || t.event.agentId === undefined ? null : agentKey(t.event.tenant, t.event.agentId),
      value: JSON.stringify(t.event),
      ...(t.partition === undefined ? {} : { partition: t.partition }),
    }));
    const positions = await log.append(topics.agentEvents, records);
    chunk.forEach((t, j) => {
      const agentId = lifecycleIds.get(t.event.id);
      if (agentId !== undefined && !firstOffset.has(agentId)) firstOffset.set(agentId, positions[j]!.offset);
    });
  }
  await log.append(
    topics.statusTransitions,
    outputs.map((o: DetectorOutputEvent) => ({ key: agentKey(o.tenant, o.agentId), value: JSON.stringify(o) })),
  );

  const forgotten: ForgottenAgent[] = [...victims, retired].map((agentId) => ({
    tenant: TENANT,
    agentId,
    cause: agentId === retired ? 'retention' : 'operator',
    partition: partitionForKey(agentKey(TENANT, agentId), options.partitions),
    firstLifecycleOffset: firstOffset.get(agentId)!,
  }));
  return { forgotten, kept, agentEvents: timeline.length, outputs: outputs.length };
}

/** One tick for every partition, as the platform's clock writes each second (the projector's next batch of each). */
export async function writeTicks(log: EventLog, topics: TopicNames, partitions: number, at: number): Promise<void> {
  await log.append(
    topics.agentEvents,
    Array.from({ length: partitions }, (_, p) => ({
      key: null,
      partition: p,
      value: JSON.stringify({ type: 'tick', version: CONTRACT_VERSION, id: `forget-log-tick-${at}-${p}`, time: iso(at), data: { partition: p } }),
    })),
  );
}
