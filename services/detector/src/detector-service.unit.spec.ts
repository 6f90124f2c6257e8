import { agentKey, CONTRACT_VERSION, topicNames, type AgentEvent } from '@vigil/contracts';
import { createInMemoryLog, type EventLog, type ProduceRecord } from '@vigil/log';
import { waitFor } from '@vigil/log/testing';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DetectorService } from './detector-service.ts';
import { defaultDetectorServiceOptions, type DetectorServiceOptions } from './options.ts';
import { metaKey } from './state-changelog.ts';

const topics = topicNames('vigil.');
const T0 = Date.UTC(2026, 0, 1);
const iso = (ms: number): string => new Date(T0 + ms).toISOString();
let ids = 0;

function beat(agent: number, at: number): AgentEvent {
  return {
    type: 'heartbeat',
    version: CONTRACT_VERSION,
    id: `e-${++ids}`,
    time: iso(at),
    tenant: 't1',
    agentId: `agent-${agent}`,
    data: { instanceId: 'i1', intervalSeconds: 10, seq: at, sentAt: iso(at), receivedAt: iso(at) },
  };
}

function tick(at: number): AgentEvent {
  return { type: 'tick', version: CONTRACT_VERSION, id: `e-${++ids}`, time: iso(at), data: { partition: 0 } };
}

/** 30 agents beating every 10 s for a minute, a tick every second; from `fromMs` to `toMs` only ticks (silence). */
function timeline(toMs: number, beatsUntilMs: number, fromMs = 0): AgentEvent[] {
  const events: AgentEvent[] = [];
  for (let at = fromMs; at < toMs; at += 1000) {
    events.push(tick(at));
    if (at < beatsUntilMs && at % 10_000 === 0) for (let a = 0; a < 30; a++) events.push(beat(a, at + a));
  }
  return events;
}

function records(events: readonly AgentEvent[]): ProduceRecord[] {
  return events.map((e) => ({ key: e.type === 'tick' || e.agentId === undefined ? null : agentKey(e.tenant, e.agentId), value: JSON.stringify(e), partition: 0 }));
}

describe('DetectorService snapshots', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function openLog(): Promise<EventLog> {
    const log = createInMemoryLog();
    cleanups.push(() => log.close());
    await log.ensureTopic(topics.agentEvents, { partitions: 1 });
    await log.ensureTopic(topics.statusTransitions, { partitions: 1 });
    return log;
  }

  async function runUntilCommitted(log: EventLog, options: DetectorServiceOptions): Promise<DetectorService> {
    const detector = new DetectorService({ log, topics, logger: pino({ level: 'silent' }) }, options);
    await detector.start();
    const end = await log.endOffset(topics.agentEvents, 0);
    await waitFor(async () => (await log.committedOffset(options.groupId, topics.agentEvents, 0)) === end);
    return detector;
  }

  async function outputs(log: EventLog): Promise<string[]> {
    const end = await log.endOffset(topics.statusTransitions, 0);
    return (await log.read(topics.statusTransitions, 0, 0, end + 1)).map((r) => r.value);
  }

  const options: DetectorServiceOptions = { ...defaultDetectorServiceOptions('vigil.'), maxBatchSize: 7, snapshotEveryRecords: 50, snapshotIntervalMs: 3_600_000 };

  it('snapshots state every snapshotEveryRecords records, not with every batch', async () => {
    const log = await openLog();
    await log.append(topics.agentEvents, records(timeline(60_000, 60_000)));
    const detector = await runUntilCommitted(log, options);
    const stats = detector.stats();
    await detector.stop();
    expect(stats.batches).toBe(Math.ceil(240 / 7));
    // The first batch always snapshots (a restore needs a starting point), then one per 50 records.
    expect(stats.snapshots).toBeLessThanOrEqual(1 + Math.ceil(240 / 50));
    expect(stats.snapshots).toBeGreaterThanOrEqual(2);
  });

  it('a restarted detector replays from its snapshot and emits exactly what an uninterrupted one emits', async () => {
    const first = timeline(65_000, 60_000);
    const rest = timeline(400_000, 0, 65_000); // silence: degraded at 90 s, unreachable at 300 s after the last beats
    const interrupted = await openLog();
    await interrupted.append(topics.agentEvents, records(first));
    // Snapshots after records 7, ~112 and ~217: the last lands in the middle of the beats at 50 s.
    const a = await runUntilCommitted(interrupted, { ...options, snapshotEveryRecords: 100 });
    await a.stop();
    const end = await interrupted.endOffset(topics.agentEvents, 0);
    const changelog = await interrupted.read(options.stateTopic, 0, 0, 100_000);
    const lastMeta = changelog.filter((r) => r.key === metaKey(0)).at(-1)!;
    const snapshotAt = (JSON.parse(lastMeta.value) as { inputOffset: number }).inputOffset;
    // The restart below must replay [snapshotAt, end), beats included, or its agents' deadlines would differ.
    const afterSnapshot = await interrupted.read(topics.agentEvents, 0, snapshotAt, end - snapshotAt);
    expect(afterSnapshot.filter((r) => r.value.includes('"type":"heartbeat"')).length).toBeGreaterThan(0);
    expect(await interrupted.committedOffset(`${options.groupId}.snapshot`, topics.agentEvents, 0)).toBe(snapshotAt);

    await interrupted.append(topics.agentEvents, records(rest));
    const b = await runUntilCommitted(interrupted, { ...options, snapshotEveryRecords: 100 });
    await b.stop();

    const reference = await openLog();
    await reference.append(topics.agentEvents, records([...first, ...rest]));
    const c = await runUntilCommitted(reference, { ...defaultDetectorServiceOptions('vigil.') });
    await c.stop();

    const expected = await outputs(reference);
    expect(expected.filter((v) => v.includes('"to":"unreachable"'))).toHaveLength(30);
    expect(await outputs(interrupted)).toEqual(expected);
  });
});
