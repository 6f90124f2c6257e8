import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { topicNames } from '@vigil/contracts';
import type { KafkaLog } from '@vigil/log/kafka';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { afterEach, describe, expect, it } from 'vitest';
import { expectForgottenStayForgotten, lateEventsAlreadyRead, PROJECTOR_GROUPS } from '../crash/forget-checks.ts';
import { writeForgetLog, writeTicks, type ForgetLog } from '../crash/forget-log.ts';
import { groupProgress } from '../crash/log-reading.ts';
import { waitUntil } from '../e2e/support/wait-for.ts';
import { startServeProcess, type ServeProcess } from '../support/detector-process.ts';
import { kafkaBrokerEnv } from './support/kafka-broker-env.ts';
import { testKafkaLog, testPrefix } from './support/kafka-test-clients.ts';

/**
 * The projector crash test of test/crash/projector-crash.e2e.spec.ts in distributed mode: `vigil serve projector` on a
 * real broker (its consumers are Kafka consumer groups, the same ProjectorService and guards), with its event store
 * and read model in SQLite files. SIGKILLed once every agent-forgotten fact is folded while its agent-events consumer
 * is still behind the forgotten agents' late kills, resumes, goodbye and thresholds; restarted, it must drop them.
 */
const SUITE = 'projector crash recovery with forgotten agents on Kafka';
const { brokers, skip } = kafkaBrokerEnv(SUITE);
const PARTITIONS = 4;
const elapsed = (since: number): string => `${((performance.now() - since) / 1000).toFixed(1)} s`;

describe.skipIf(skip)(SUITE, () => {
  const closers: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const close of closers.splice(0).reverse()) await close().catch((err: unknown) => console.warn('close failed', err));
  });

  it('keeps forgotten agents forgotten across a SIGKILL between their facts and their late events, then releases the guards', { timeout: 240_000 }, async () => {
    const prefix = testPrefix();
    const topics = topicNames(prefix);
    const groups = PROJECTOR_GROUPS(prefix);
    const dir = mkdtempSync(join(tmpdir(), 'vigil-projector-crash-kafka-'));
    closers.push(async () => rmSync(dir, { recursive: true, force: true }));
    const log: KafkaLog = testKafkaLog(brokers);
    closers.push(() => log.close());
    const env = {
      VIGIL_TOPIC_PREFIX: prefix,
      VIGIL_STORE: `sqlite:${join(dir, 'store.db')}`,
      VIGIL_READ_MODEL: `sqlite:${join(dir, 'read.db')}`,
      VIGIL_KAFKA_SESSION_TIMEOUT: '10s',
      // Batches as small as the embedded log's: the events consumer's head start (it joins its group first) stays small.
      VIGIL_BATCH_SIZE: '500',
    };
    const start = async (): Promise<ServeProcess> => {
      const proc = await startServeProcess('projector', `kafka:${brokers}`, env);
      closers.push(() => proc.stop());
      return proc;
    };

    let t = performance.now();
    await log.ensureTopic(topics.agentEvents, { partitions: PARTITIONS });
    await log.ensureTopic(topics.statusTransitions, { partitions: PARTITIONS });
    const written: ForgetLog = await writeForgetLog(log, topics, { agents: 1000, victims: 12, horizonMs: 1_000_000, partitions: PARTITIONS });
    console.log(`[projector-crash kafka] produced ${written.agentEvents} agent events and ${written.outputs} detector outputs in ${elapsed(t)}`);

    // Run 1: SIGKILL as soon as every fact is folded and committed.
    t = performance.now();
    const first = await start();
    await waitUntil('the transitions folded', () => groupProgress(log, groups.transitions, topics.statusTransitions), (p) => p.committed === p.end, {
      timeoutMs: 60_000,
      intervalMs: 10,
    });
    first.child.kill('SIGKILL');
    expect(await first.exited).toBe('SIGKILL');
    const atDeath = await groupProgress(log, groups.events, topics.agentEvents);
    console.log(`[projector-crash kafka] SIGKILL after ${elapsed(t)}: facts folded, agent-events committed ${atDeath.committed} of ${atDeath.end}`);
    expect(await lateEventsAlreadyRead(log, groups.events, topics.agentEvents, written), 'late events read before the SIGKILL: lengthen the backlog').toEqual([]);

    // Run 2: a new member of both groups, once the broker has let the dead one's session expire, folds the rest.
    t = performance.now();
    const second = await start();
    await waitUntil('agent-events folded', () => groupProgress(log, groups.events, topics.agentEvents), (p) => p.committed === p.end, {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    const held = await second.counter('forgetGuards');
    console.log(`[projector-crash kafka] restarted projector caught up in ${elapsed(t)}; ${held} guards held`);
    expect(held).toBe(written.forgotten.length);
    await writeTicks(log, topics, PARTITIONS, 1_001_000);
    await waitUntil('the guards released', () => second.counter('forgetGuards'), (n) => n === 0, { timeoutMs: 30_000, intervalMs: 100 });
    await second.stop();
    expect(await second.exited, second.stderr()).toBe(0);

    const store = new SqliteEventStore({ path: join(dir, 'store.db') });
    const readModel = new SqliteReadModel({ path: join(dir, 'read.db'), sweepOnTimer: false });
    try {
      await expectForgottenStayForgotten(store, readModel, written);
    } finally {
      await Promise.all([store.close(), readModel.close()]);
    }
  });
});
