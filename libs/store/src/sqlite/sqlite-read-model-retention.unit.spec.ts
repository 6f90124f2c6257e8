import type { AgentEvent, DetectorOutputEvent, MetricSummaryEvent, StatusTransitionedEvent } from '@vigil/contracts';
import { MetricAccumulator } from '@vigil/core';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteReadModel } from './sqlite-read-model.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const MINUTE = 60_000;
const T0 = Date.parse('2025-03-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const OUTPUT_TOPIC = 'vigil.status-transitions';
const AGENT_TOPIC = 'vigil.agent-events';

const transition = (agentId: string, at: number, n: number): StatusTransitionedEvent => ({
  version: 1,
  id: `tr-${agentId}-${n}`,
  time: iso(at),
  tenant: 'acme',
  agentId,
  type: 'status-transitioned',
  data: { from: n === 0 ? 'unknown' : 'degraded', to: 'healthy', at: iso(at), detectedAt: iso(at), reason: 'r', lastHeartbeatAt: iso(at) },
});
const minute = (agentId: string, windowStart: number, latencyMs: number): MetricSummaryEvent => {
  const acc = new MetricAccumulator(windowStart);
  acc.addAll([{ success: true, latencyMs, costUsd: 0.001 }, { success: false, latencyMs: latencyMs * 2 }]);
  return { version: 1, id: `m-${agentId}-${windowStart}`, time: iso(windowStart + MINUTE), tenant: 'acme', agentId, type: 'metric-summary', data: acc.summarise(MINUTE) };
};
const tick = (at: number): AgentEvent => ({ type: 'tick', version: 1, id: `t-${at}`, time: iso(at), data: { partition: 0 } });

describe('SqliteReadModel: retention', () => {
  let rm: SqliteReadModel;
  let offset = 0;
  const apply = (topic: string, events: (AgentEvent | DetectorOutputEvent)[]) => rm.apply(events, { topic, partition: 0, nextOffset: ++offset });
  afterEach(async () => {
    await rm.close();
  });

  it('prunes transitions older than 30 days of event time in small steps, keeping the newer ones', async () => {
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false, retention: { batchRows: 7 } });
    // 40 days, two transitions a day.
    const events: DetectorOutputEvent[] = [];
    for (let d = 0; d < 40; d++) events.push(transition('a-1', T0 + d * DAY, 2 * d), transition('a-1', T0 + d * DAY + HOUR, 2 * d + 1));
    await apply(OUTPUT_TOPIC, events);
    const result = await rm.pruneRetention();
    expect(result.horizon).toBe(T0 + 39 * DAY + HOUR);
    // Older than day 39 01:00 − 30 d = day 9 01:00: days 0..8 (18) and day 9 00:00 (1).
    expect(result.transitions).toBe(19);
    expect(result.steps).toBeGreaterThanOrEqual(3); // 19 rows in batches of 7
    const left = (await rm.listTransitions('acme', { limit: 1000 })).items;
    expect(left).toHaveLength(61);
    expect(left[left.length - 1]!.at).toBe(iso(T0 + 9 * DAY + HOUR));
    expect((await rm.pruneRetention()).transitions).toBe(0);
  });

  it('measures retention from event time (ticks included), never the wall clock', async () => {
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
    await apply(OUTPUT_TOPIC, [transition('a-1', T0, 0)]);
    expect((await rm.pruneRetention()).transitions).toBe(0); // the wall clock is years later: irrelevant
    await apply(AGENT_TOPIC, [tick(T0 + 31 * DAY)]);
    expect((await rm.pruneRetention()).transitions).toBe(1);
  });

  it('rolls minutes past 7 days up into hours, served unchanged at 1h, and drops hours past 90 days', async () => {
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false, retention: { batchRows: 25 } });
    await apply(AGENT_TOPIC, [{ ...beatOf('a-1', T0) }]);
    const minutes: DetectorOutputEvent[] = [];
    for (let m = 0; m < 3 * 60; m++) minutes.push(minute('a-1', T0 + m * MINUTE, 10 + (m % 17)));
    await apply(OUTPUT_TOPIC, minutes);
    const before = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 });
    expect(before).toHaveLength(3);

    await apply(AGENT_TOPIC, [tick(T0 + 8 * DAY)]);
    const result = await rm.pruneRetention();
    expect(result.minutesRolledUp).toBe(180);
    expect(result.steps).toBeGreaterThanOrEqual(180 / 25);
    expect(await rm.metrics('acme', 'a-1', { resolution: '1m', limit: 1000 })).toEqual([]);
    const after = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 });
    expect(after).toEqual(before);

    await apply(AGENT_TOPIC, [tick(T0 + 91 * DAY)]);
    expect((await rm.pruneRetention()).hours).toBe(3);
    expect(await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 })).toEqual([]);
  });

  it('serves an hour split between stored roll-up and minutes as one exact hour', async () => {
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false, retention: { metricMinutesMs: HOUR, batchRows: 1000 } });
    await apply(AGENT_TOPIC, [beatOf('a-1', T0)]);
    const first = Array.from({ length: 60 }, (_, m) => minute('a-1', T0 + m * MINUTE, 20 + m));
    await apply(OUTPUT_TOPIC, first);
    const whole = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 });
    await apply(AGENT_TOPIC, [tick(T0 + 3 * HOUR)]);
    expect((await rm.pruneRetention()).minutesRolledUp).toBe(60);
    // A late minute of the rolled-up hour (a redelivery) merges into it on read.
    await apply(OUTPUT_TOPIC, [minute('a-1', T0 + 30 * MINUTE + 1, 20)]);
    const [hour] = await rm.metrics('acme', 'a-1', { resolution: '1h', limit: 10 });
    expect(hour!.count).toBe(whole[0]!.count + 2);
  });

  it('refuses a retention that is not a positive duration', () => {
    expect(() => new SqliteReadModel({ path: ':memory:', retention: { transitionsMs: 0 } })).toThrow(/retention/);
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
  });
});

function beatOf(agentId: string, at: number): AgentEvent {
  return {
    version: 1,
    id: `hb-${agentId}-${at}`,
    time: iso(at),
    tenant: 'acme',
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: iso(at), receivedAt: iso(at) },
  };
}
