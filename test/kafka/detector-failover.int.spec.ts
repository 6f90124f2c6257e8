import { decodeOutputEvent, topicNames, type DetectorOutputEvent } from '@vigil/contracts';
import { defaultDetectorServiceOptions } from '@vigil/detector';
import type { ProduceRecord } from '@vigil/log';
import type { KafkaLog } from '@vigil/log/kafka';
import { afterEach, describe, expect, it } from 'vitest';
import { compareOutputs, countByType } from '../crash/output-comparison.ts';
import { startDetectorProcess, type DetectorProcess } from '../support/detector-process.ts';
import { failoverFleet } from './support/failover-fleet.ts';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { testKafkaLog, testPrefix } from './support/kafka-test-clients.ts';

/**
 * Two `vigil serve detector` processes share the partitions of one consumer group on a real broker; one is SIGKILLed
 * mid-run, its partitions move to the survivor (restored from the state changelog, fenced by the per-partition
 * transactional id), and the transitions topic ends up exactly as a single uninterrupted instance writes it over the
 * same input: no output lost, none doubled, each agent's outputs in the same order (read_committed).
 */
const SUITE = 'detector failover on Kafka';
const { brokers, skip } = kafkaBrokerEnv(SUITE);

const PARTITIONS = 8;
const fleet = failoverFleet(300, PARTITIONS, 320);
/** The share of the log written before the detectors start; the rest is written while they run. */
const PREWRITTEN = 0.6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

async function append(log: KafkaLog, topic: string, records: readonly ProduceRecord[]): Promise<void> {
  for (let i = 0; i < records.length; i += 2_000) await log.append(topic, records.slice(i, i + 2_000));
}

/** Committed records of every partition of a topic (KafkaLog reads read_committed). */
async function readTopic(log: KafkaLog, topic: string): Promise<DetectorOutputEvent[]> {
  const out: DetectorOutputEvent[] = [];
  for (let p = 0; p < PARTITIONS; p++) for (const r of await log.read(topic, p, 0, 1_000_000)) out.push(decodeOutputEvent(r.value));
  return out;
}

/** Waits until the detector group has committed every partition of agent-events to its end, or a process died. */
async function awaitCaughtUp(log: KafkaLog, prefix: string, running: readonly DetectorProcess[], timeoutMs: number): Promise<void> {
  const topic = topicNames(prefix).agentEvents;
  const groupId = defaultDetectorServiceOptions(prefix).groupId;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    let behind = 0;
    const lag: number[] = [];
    for (let p = 0; p < PARTITIONS; p++) {
      const [committed, end] = await Promise.all([log.committedOffset(groupId, topic, p), log.endOffset(topic, p)]);
      lag.push(end - (committed ?? 0));
      behind += Math.max(0, end - (committed ?? 0));
    }
    if (behind === 0) return;
    for (const proc of running) {
      if (proc.child.exitCode !== null) throw new Error(`a detector exited (${proc.child.exitCode}) with ${behind} records to go:\n${proc.stderr()}`);
    }
    if (Date.now() > deadline) {
      throw new Error(`the detector group is still ${behind} records behind after ${timeoutMs} ms (by partition: ${lag.join(', ')}):\n${running.map((r) => r.stderr().slice(-6_000)).join('\n')}`);
    }
    await sleep(100);
  }
}

describe.skipIf(skip)(SUITE, () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  async function setUp(): Promise<{ prefix: string; log: KafkaLog }> {
    const prefix = testPrefix();
    const topics = topicNames(prefix);
    const log = testKafkaLog(brokers);
    closers.push(() => log.close());
    await log.ensureTopic(topics.agentEvents, { partitions: PARTITIONS });
    await log.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS });
    return { prefix, log };
  }

  async function detector(prefix: string): Promise<DetectorProcess> {
    const proc = await startDetectorProcess(`kafka:${brokers}`, { VIGIL_TOPIC_PREFIX: prefix });
    closers.push(() => proc.stop());
    return proc;
  }

  it('a SIGKILLed instance\'s partitions move to the survivor, and the transitions equal a single instance\'s: none lost, none doubled', { timeout: 180_000 }, async () => {
    const split = Math.floor(fleet.records.length * PREWRITTEN);
    const started = performance.now();

    // Reference: one instance over the whole log, uninterrupted.
    const reference = await setUp();
    await append(reference.log, topicNames(reference.prefix).agentEvents, fleet.records);
    const single = await detector(reference.prefix);
    await awaitCaughtUp(reference.log, reference.prefix, [single], 60_000);
    await single.stop();
    const expected = await readTopic(reference.log, topicNames(reference.prefix).statusTransitions);
    const referenceDone = performance.now();

    // Failover: two instances in one group, the second half of the log written while they run, one killed.
    const run = await setUp();
    const input = topicNames(run.prefix).agentEvents;
    await append(run.log, input, fleet.records.slice(0, split));
    const a = await detector(run.prefix);
    const b = await detector(run.prefix);
    // Both own partitions once the group has rebalanced (a rejoins at its next heartbeat).
    const deadline = Date.now() + 30_000;
    while ((await a.counter('partitions')) + (await b.counter('partitions')) !== PARTITIONS || (await b.counter('partitions')) === 0) {
      if (Date.now() > deadline) throw new Error(`the two detectors did not share the partitions: a ${await a.counter('partitions')}, b ${await b.counter('partitions')}`);
      await sleep(100);
    }
    const bPartitions = await b.counter('partitions');
    const rest = fleet.records.slice(split);
    const chunk = Math.ceil(rest.length / 8);
    await run.log.append(input, rest.slice(0, chunk));
    // b has committed transactions of its own (so the survivor must continue from b's state, not redo it) ...
    while ((await b.counter('batches')) === 0) {
      if (Date.now() > deadline) throw new Error(`b committed no batch:\n${b.stderr()}`);
      await sleep(20);
    }
    // ... and is handling the next chunk when it dies.
    await run.log.append(input, rest.slice(chunk, 2 * chunk));
    await sleep(20);
    const batchesOfB = await b.counter('batches');
    b.child.kill('SIGKILL');
    expect(await b.exited).toBe('SIGKILL');
    for (let i = 2 * chunk; i < rest.length; i += chunk) await run.log.append(input, rest.slice(i, i + chunk));
    // The survivor gets b's partitions once b's session expires (serve's KafkaLog: 30 s) and restores their state.
    await awaitCaughtUp(run.log, run.prefix, [a], 120_000);
    expect(await a.counter('partitions')).toBe(PARTITIONS);
    const actual = await readTopic(run.log, topicNames(run.prefix).statusTransitions);

    const difference = compareOutputs(expected, actual);
    console.log(
      `failover: ${fleet.records.length} events (${fleet.heartbeats} beats, ${fleet.ticks} ticks); b owned ${bPartitions} partitions and had committed ${batchesOfB} batches when killed; ` +
        `reference ${((referenceDone - started) / 1000).toFixed(1)} s, failover ${((performance.now() - referenceDone) / 1000).toFixed(1)} s; ` +
        `outputs ${JSON.stringify(countByType(expected))}; recoveries of a ${await a.counter('recoveries')}`,
    );
    expect(expected.filter((e) => e.type === 'status-transitioned').length).toBeGreaterThan(300);
    expect(new Set(expected.filter((e) => e.type === 'status-transitioned').map((e) => e.type === 'status-transitioned' && e.data.to))).toEqual(
      new Set(['healthy', 'degraded', 'unreachable']),
    );
    expect({ missing: difference.missing.length, extra: difference.extra.length, changed: difference.changed.length, reordered: difference.reordered.length }).toEqual({
      missing: 0,
      extra: 0,
      changed: 0,
      reordered: 0,
    });
    expect(actual).toHaveLength(expected.length);
  });
});
