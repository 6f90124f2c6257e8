import { agentKey, CONTRACT_VERSION, decodeOutputEvent, topicNames, type AgentEvent } from '@vigil/contracts';
import { createInMemoryLog, type EventLog, type LogTransaction } from '@vigil/log';
import { waitFor } from '@vigil/log/testing';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { DetectorService, FANOUT_CHUNK } from './detector-service.ts';
import { defaultDetectorServiceOptions } from './options.ts';

const T0 = Date.UTC(2025, 0, 1);
const PREFIX = 'vigil-test.';
const topics = topicNames(PREFIX);
const AGENTS = FANOUT_CHUNK * 3 + 17;

const iso = (ms: number) => new Date(ms).toISOString();

function beat(agentId: string, at: number): AgentEvent {
  return {
    version: CONTRACT_VERSION,
    type: 'heartbeat',
    id: `hb-${agentId}-${at}`,
    time: iso(at),
    tenant: 'acme',
    agentId,
    data: { instanceId: 'i-1', intervalSeconds: 1, seq: 1, sentAt: iso(at), receivedAt: iso(at) },
  };
}

function tick(at: number): AgentEvent {
  return { version: CONTRACT_VERSION, type: 'tick', id: `tick-${at}`, time: iso(at), data: { partition: 0 } };
}

/** The whole fleet beats once, then ticks run past degradedAfter: one window convicts every agent at once. */
function fleetGoingSilent(): AgentEvent[] {
  const events: AgentEvent[] = [tick(T0)];
  for (let i = 0; i < AGENTS; i++) events.push(beat(`agent-${String(i).padStart(5, '0')}`, T0 + 100));
  for (let s = 1; s <= 6; s++) events.push(tick(T0 + s * 1000));
  return events;
}

/** The log, with every transaction counted and the `failAt`-th one (1-based) refused once, as a crash mid-commit. */
function countingLog(log: EventLog, failAt: number | null): { log: EventLog; transactions: () => number } {
  let n = 0;
  const proxy = new Proxy(log, {
    get(target, prop) {
      if (prop === 'transaction') {
        return async (id: string, work: (tx: LogTransaction) => void | Promise<void>) => {
          n++;
          if (n === failAt) throw new Error('simulated crash before commit');
          return target.transaction(id, work);
        };
      }
      const value: unknown = Reflect.get(target, prop, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { log: proxy, transactions: () => n };
}

async function outputsOf(log: EventLog): Promise<string[]> {
  const end = await log.endOffset(topics.statusTransitions, 0);
  const records = await log.read(topics.statusTransitions, 0, 0, end + 1);
  return records.map((r) => r.value);
}

const opened: { log: EventLog; service: DetectorService }[] = [];

async function run(failAt: number | null): Promise<{ outputs: string[]; transactions: number; service: DetectorService; timerRanEarly: boolean }> {
  const base = createInMemoryLog();
  await base.ensureTopic(topics.agentEvents, { partitions: 1 });
  await base.ensureTopic(topics.statusTransitions, { partitions: 1 });
  const events = fleetGoingSilent();
  await base.append(topics.agentEvents, events.map((e) => ({ key: e.type === 'heartbeat' ? agentKey(e.tenant, e.agentId) : null, value: JSON.stringify(e), partition: 0 })));
  const counted = countingLog(base, failAt);
  const options = { ...defaultDetectorServiceOptions(PREFIX, { windowMs: 1000, thresholds: { degradedAfterMs: 3000, unreachableAfterMs: 600_000 } }), maxBatchSize: 100_000 };
  const service = new DetectorService({ log: counted.log, topics, logger: pino({ level: 'silent' }) }, options);
  opened.push({ log: base, service });
  await service.start();
  let degradedWhenTimerRan = -1;
  setTimeout(() => (degradedWhenTimerRan = service.transitionCounts().get('degraded') ?? 0), 0);
  await waitFor(() => (service.transitionCounts().get('degraded') ?? 0) >= AGENTS && service.stats().batches > 0, 60_000);
  await waitFor(async () => (await base.committedOffset(options.groupId, topics.agentEvents, 0)) === events.length, 60_000);
  return { outputs: await outputsOf(base), transactions: counted.transactions(), service, timerRanEarly: degradedWhenTimerRan >= 0 && degradedWhenTimerRan < AGENTS };
}

afterEach(async () => {
  for (const { log, service } of opened.splice(0)) {
    await service.stop();
    await log.close();
  }
});

describe('DetectorService, a window that convicts a whole large partition at once', () => {
  it('commits its outputs in bounded chunks, with turns of the event loop between them', async () => {
    const { outputs, transactions, timerRanEarly } = await run(null);
    const degraded = outputs.map((v) => decodeOutputEvent(v)).filter((o) => o.type === 'status-transitioned' && o.data.to === 'degraded');
    expect(degraded).toHaveLength(AGENTS);
    expect(new Set(degraded.map((o) => o.id)).size).toBe(AGENTS);
    // At least four chunks for the conviction of 3,017 agents, besides the first sight of them.
    expect(transactions).toBeGreaterThanOrEqual(5);
    expect(timerRanEarly).toBe(true);
  }, 120_000);

  it('emits exactly what an uninterrupted run emits when a commit fails between chunks', async () => {
    const clean = await run(null);
    // Transaction 1 holds the first beats' transitions; 3 is the conviction's second chunk.
    const crashed = await run(3);
    expect(crashed.service.stats().recoveries).toBe(1);
    expect(crashed.outputs).toEqual(clean.outputs);
  }, 120_000);
});
