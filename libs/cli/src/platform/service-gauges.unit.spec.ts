import { agentKey, CONTRACT_VERSION, topicNames, type AgentEvent } from '@vigil/contracts';
import { MetricsRegistry } from '@vigil/http';
import { createInMemoryLog, type EventLog } from '@vigil/log';
import { waitFor } from '@vigil/log/testing';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { registerConsumerLag, registerDetectorGauges } from './service-gauges.ts';
import { createDetector, platformConsumers } from './services.ts';

const T0 = Date.UTC(2025, 0, 1);
const PREFIX = 'vigil-test.';
const topics = topicNames(PREFIX);

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function beat(agentId: string, at: number, tenant: string): AgentEvent {
  return {
    version: CONTRACT_VERSION,
    type: 'heartbeat',
    id: `hb-${tenant}-${agentId}-${at}`,
    time: iso(at),
    tenant,
    agentId,
    data: { instanceId: 'i-1', intervalSeconds: 1, seq: 0, sentAt: iso(at), receivedAt: iso(at) },
  };
}

function tick(at: number): AgentEvent {
  return { version: CONTRACT_VERSION, type: 'tick', id: `tick-${at}`, time: iso(at), data: { partition: 0 } };
}

describe('detector and consumer gauges on /metrics', () => {
  let log: EventLog;
  const metrics = () => new MetricsRegistry();

  beforeEach(async () => {
    log = createInMemoryLog();
    await log.ensureTopic(topics.agentEvents, { partitions: 1 });
    await log.ensureTopic(topics.statusTransitions, { partitions: 1 });
  });

  afterEach(async () => {
    await log.close();
  });

  it('counts transitions by target status, shows detector lag and consumer lag, and names no tenant', async () => {
    const events: AgentEvent[] = [beat('a', T0, 'acme'), beat('b', T0, 'secret-tenant')];
    for (let s = 1; s <= 5; s++) events.push(tick(T0 + s * 1000));
    await log.append(topics.agentEvents, events.map((e) => ({ key: e.type === 'heartbeat' ? agentKey(e.tenant, e.agentId) : null, value: JSON.stringify(e), partition: 0 })));

    const registry = metrics();
    const detector = createDetector(log, topics, pino({ level: 'silent' }), PREFIX, { windowMs: 1000, degradedAfterMs: 3000, unreachableAfterMs: 60_000, stalledAfterMs: undefined });
    registerDetectorGauges(registry, detector, () => T0 + 7000);
    registerConsumerLag(registry, log, platformConsumers(PREFIX, topics).detector);
    const before = await registry.render();
    expect(before).toContain(`vigil_consumer_lag_records{group="${PREFIX}detector",topic="${topics.agentEvents}"} ${events.length}`);

    await detector.start();
    try {
      await waitFor(() => detector.transitionCounts().get('degraded') === 2);
      await waitFor(async () => (await registry.render()).includes(`vigil_consumer_lag_records{group="${PREFIX}detector",topic="${topics.agentEvents}"} 0`));
      const text = await registry.render();
      expect(text).toContain('vigil_transitions_total{to="healthy"} 2');
      expect(text).toContain('vigil_transitions_total{to="degraded"} 2');
      expect(text).toContain('vigil_detector_lag_seconds 2');
      expect(text).not.toContain('secret-tenant');
      expect(text).not.toContain('acme');
    } finally {
      await detector.stop();
    }
  });
});
