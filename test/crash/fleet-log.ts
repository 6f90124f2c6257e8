import { agentKey, CONTRACT_VERSION, topicNames, type AgentEvent } from '@vigil/contracts';
import { EmbeddedLog, type ProduceRecord } from '@vigil/log';
import { seededRandom } from '../support/seeded-random.ts';

/** Shape of the generated fleet. */
export interface FleetLogOptions {
  /** Exactly this many records land in agent-events (ticks included). */
  readonly events: number;
  readonly agents: number;
  readonly partitions: number;
  readonly seed: number;
}

/** One event of the timeline, before it is cut to `events` and written. */
interface Timed {
  readonly at: number;
  /** Ticks sort before the other events of the same millisecond, in every partition alike. */
  readonly tick: boolean;
  readonly event: AgentEvent;
  /** Explicit partition (ticks, tenant-wide thresholds); else the agent key decides. */
  readonly partition?: number;
}

const T0 = Date.UTC(2026, 2, 1);
const iso = (at: number): string => new Date(T0 + at).toISOString();

/**
 * Builds a realistic agent-events timeline and writes it into the embedded log at `path` (topics created with
 * `partitions`): agents beating at 5–20 s with ±15 % jitter, pauses long enough to be degraded or unreachable and come
 * back, agents going silent for good, kills and resumes, goodbyes and comebacks as new instances (some flapping),
 * stalled work, metrics on every 5th agent's beats, per-agent and tenant-wide threshold changes, and a tick in every
 * partition each second of event time. Every partition holds its events in event-time order (ticks first within a
 * millisecond), so a single detector over the merged partitions sees what each partition's detector sees.
 */
export async function writeFleetLog(path: string, options: FleetLogOptions): Promise<{ firstAt: string; lastAt: string }> {
  const random = seededRandom(options.seed);
  const timeline: Timed[] = [];
  const horizon = Math.ceil((options.events / (options.agents / 11 + options.partitions)) * 1.5) * 1000;
  let ids = 0;
  const nextId = (): string => `crash-${options.seed}-${++ids}`;
  for (let a = 0; a < options.agents; a++) generateAgent(a, horizon, random, nextId, timeline);
  // Every 5 minutes, tenant "acme" tightens or relaxes its thresholds (written to every partition, like a tick).
  for (let at = 300_000; at < horizon; at += 300_000) {
    const tight = (at / 300_000) % 2 === 1;
    for (let p = 0; p < options.partitions; p++) {
      timeline.push({
        at: at + 250,
        tick: false,
        partition: p,
        event: {
          type: 'thresholds-set',
          version: CONTRACT_VERSION,
          id: nextId(),
          tenant: 'acme',
          time: iso(at + 250),
          data: tight ? { degradedAfterMs: 20_000, unreachableAfterMs: 60_000 } : { degradedAfterMs: null, unreachableAfterMs: null },
        },
      });
    }
  }
  for (let at = 0; at <= horizon; at += 1000) {
    for (let p = 0; p < options.partitions; p++) {
      timeline.push({ at, tick: true, partition: p, event: { type: 'tick', version: CONTRACT_VERSION, id: nextId(), time: iso(at), data: { partition: p } } });
    }
  }
  timeline.sort((x, y) => x.at - y.at || Number(y.tick) - Number(x.tick));
  if (timeline.length < options.events) throw new Error(`the fleet produced only ${timeline.length} events; raise the horizon`);
  const kept = timeline.slice(0, options.events);

  const topics = topicNames('vigil.');
  const log = new EmbeddedLog({ path });
  try {
    await log.ensureTopic(topics.agentEvents, { partitions: options.partitions, retentionMs: 24 * 3600 * 1000 });
    await log.ensureTopic(topics.statusTransitions, { partitions: options.partitions, retentionMs: 7 * 24 * 3600 * 1000 });
    for (let i = 0; i < kept.length; i += 10_000) {
      const records: ProduceRecord[] = kept.slice(i, i + 10_000).map((t) => ({
        key: t.event.type === 'tick' || t.event.agentId === undefined ? null : agentKey(t.event.tenant, t.event.agentId),
        value: JSON.stringify(t.event),
        ...(t.partition === undefined ? {} : { partition: t.partition }),
      }));
      await log.append(topics.agentEvents, records);
    }
  } finally {
    await log.close();
  }
  return { firstAt: iso(kept[0]!.at), lastAt: iso(kept[kept.length - 1]!.at) };
}

function generateAgent(a: number, horizon: number, random: () => number, nextId: () => string, out: Timed[]): void {
  const tenant = a % 4 === 3 ? 'acme' : 'default';
  const agentId = `agent-${String(a).padStart(5, '0')}`;
  const interval = [5, 10, 15, 20][Math.floor(random() * 4)]!;
  const silentAt = random() < 0.1 ? Math.floor(random() * horizon * 0.8) : Number.POSITIVE_INFINITY;
  const stallAt = a % 13 === 0 ? Math.floor(random() * horizon) : Number.POSITIVE_INFINITY;
  const flapping = a % 100 === 3;
  const goodbyeAt = a % 50 === 11 ? Math.floor(random() * horizon * 0.7) : Number.POSITIVE_INFINITY;
  const comebackAt = goodbyeAt + (random() < 0.5 ? 20_000 + Math.floor(random() * 60_000) : Number.POSITIVE_INFINITY);
  const envelope = { version: CONTRACT_VERSION, tenant, agentId } as const;
  let instance = 1;
  let seq = 0;
  let completed = 0;
  let at = Math.floor(random() * interval * 1000) + 1;
  let saidGoodbye = false;
  while (at < horizon && at < silentAt) {
    if (at >= goodbyeAt && !saidGoodbye) {
      saidGoodbye = true;
      out.push({ at: goodbyeAt, tick: false, event: { ...envelope, type: 'agent-stopped', id: nextId(), time: iso(goodbyeAt), data: { instanceId: `i${instance}`, reason: 'deploy' } } });
      if (comebackAt === Number.POSITIVE_INFINITY) break;
      at = comebackAt;
      instance++;
      continue;
    }
    // Flapping agents restart as a new instance every few beats for a while; others now and then.
    if ((flapping && at < horizon / 3 && random() < 0.25) || random() < 0.002) instance++;
    const stalled = at >= stallAt;
    if (!stalled && a % 13 === 0) completed += Math.floor(random() * 3) + 1;
    const metrics =
      a % 5 === 0
        ? Array.from({ length: 1 + Math.floor(random() * 3) }, () => ({ success: random() > 0.1, latencyMs: Math.round(random() * 3000 * 10) / 10, costUsd: Math.round(random() * 1e4) / 1e6 }))
        : undefined;
    out.push({
      at,
      tick: false,
      event: {
        ...envelope,
        type: 'heartbeat',
        id: nextId(),
        time: iso(at),
        data: {
          instanceId: `i${instance}`,
          intervalSeconds: interval,
          seq: seq++,
          sentAt: iso(at - 5),
          receivedAt: iso(at),
          ...(metrics ? { metrics } : {}),
          ...(a % 13 === 0 ? { progress: { completed, inFlight: 2 } } : {}),
        },
      },
    });
    let gap = interval * 1000 * (0.85 + random() * 0.3);
    // A pause of 3.5–12 intervals: degraded (or unreachable), then back to healthy.
    if (random() < 0.01) gap = interval * 1000 * (3.5 + random() * 8.5);
    at += Math.floor(gap);
  }
  if (a % 40 === 7) {
    const killAt = Math.floor(random() * horizon * 0.8);
    out.push({ at: killAt, tick: false, event: { ...envelope, type: 'agent-killed', id: nextId(), time: iso(killAt), data: { by: 'ops', reason: 'runaway cost' } } });
    if (random() < 0.6) {
      const resumeAt = killAt + 30_000 + Math.floor(random() * 90_000);
      out.push({ at: resumeAt, tick: false, event: { ...envelope, type: 'agent-resumed', id: nextId(), time: iso(resumeAt), data: { by: 'ops' } } });
    }
  }
  if (a % 200 === 1) {
    const setAt = Math.floor(random() * horizon * 0.5);
    out.push({
      at: setAt,
      tick: false,
      event: { ...envelope, type: 'thresholds-set', id: nextId(), time: iso(setAt), data: { degradedAfterMs: 8_000, unreachableAfterMs: 30_000 } },
    });
  }
}
