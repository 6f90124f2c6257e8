import { agentKey, agentStreamName, CONTRACT_VERSION, topicNames, type AgentEvent, type DetectorOutputEvent } from '@vigil/contracts';
import { createInMemoryLog, type ConsumerHandlers, type EventLog, type LogConsumer } from '@vigil/log';
import { waitFor } from '@vigil/log/testing';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectorService } from './projector-service.ts';

const T0 = Date.UTC(2025, 0, 1);
const iso = (ms: number): string => new Date(ms).toISOString();
const topics = topicNames('vigil-test.');
const GROUP_PREFIX = 'test-projector';
const envelope = (id: string, at: number) => ({ version: CONTRACT_VERSION, id, time: iso(at), tenant: 'acme', agentId: 'a-1' });

const beat = (at: number): AgentEvent => ({
  ...envelope(`hb-${at}`, at),
  type: 'heartbeat',
  data: { instanceId: 'i-1', intervalSeconds: 30, seq: at, sentAt: iso(at), receivedAt: iso(at) },
});
const kill = (at: number): AgentEvent => ({ ...envelope(`kill-${at}`, at), type: 'agent-killed', data: { by: 'ops', reason: 'runaway' } });
const forgetRequest = (at: number): AgentEvent => ({ ...envelope(`forget-${at}`, at), type: 'agent-forgotten', data: { by: 'ops', reason: '' } });
const tick = (at: number): AgentEvent => ({ version: CONTRACT_VERSION, id: `tick-${at}`, time: iso(at), type: 'tick', data: { partition: 0 } });
const healthy = (at: number): DetectorOutputEvent => ({
  ...envelope(`tr-${at}`, at),
  type: 'status-transitioned',
  data: { from: 'unknown', to: 'healthy', at: iso(at), detectedAt: iso(at), reason: 'first heartbeat', lastHeartbeatAt: iso(at) },
});
const forgottenFact = (at: number, lastBeat: number): DetectorOutputEvent => ({
  ...envelope(`fact-${at}`, at),
  type: 'agent-forgotten',
  data: { cause: 'operator', by: 'ops', reason: '', lastStatus: 'killed', lastHeartbeatAt: iso(lastBeat) },
});

async function append(log: EventLog, topic: string, ...events: (AgentEvent | DetectorOutputEvent)[]): Promise<void> {
  await log.append(
    topic,
    events.map((e) => ({ key: e.type === 'tick' ? null : agentKey(e.tenant, e.agentId!), value: JSON.stringify(e), ...(e.type === 'tick' ? { partition: 0 } : {}) })),
  );
}

/**
 * The real log, except that every batch of `topic` fails before the projector sees it until `catchUp()`: the
 * projector's consumer of that topic stays behind (as it does under a backlog of beats) while the other one folds.
 */
function withConsumerBehind(log: EventLog, topic: string): EventLog {
  return new Proxy(log, {
    get(target, property) {
      if (property === 'consumer') {
        return (options: Parameters<EventLog['consumer']>[0]): LogConsumer => {
          const consumer = target.consumer(options);
          if (options.topic !== topic) return consumer;
          return {
            start: (handlers: ConsumerHandlers) =>
              consumer.start({
                ...handlers,
                eachBatch: () => Promise.reject(new Error('this consumer is behind (test)')),
              }),
            stop: () => consumer.stop(),
          };
        };
      }
      const value: unknown = Reflect.get(target, property);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

describe('ProjectorService: forgotten agents across a restart', () => {
  let log: EventLog;
  let readModel: SqliteReadModel;
  let store: SqliteEventStore;
  const running: ProjectorService[] = [];
  const projector = (on: EventLog): ProjectorService => {
    const p = new ProjectorService({ log: on, topics, logger: pino({ level: 'silent' }), readModel, store }, { groupPrefix: GROUP_PREFIX, streamMaxCount: 100 });
    running.push(p);
    return p;
  };

  beforeEach(async () => {
    log = createInMemoryLog();
    await log.ensureTopic(topics.agentEvents, { partitions: 1 });
    await log.ensureTopic(topics.statusTransitions, { partitions: 1 });
    readModel = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
    store = new SqliteEventStore({ path: ':memory:' });
  });

  afterEach(async () => {
    for (const p of running.splice(0)) await p.stop();
    await Promise.all([readModel.close(), store.close(), log.close()]);
  });

  /** Given: the agent beat, was killed and then forgotten; the projector folded the fact while its events consumer was behind, then stopped. */
  async function givenForgottenWhileEventsBehind(): Promise<void> {
    await append(log, topics.agentEvents, beat(T0), kill(T0 + 5_000), forgetRequest(T0 + 10_000));
    await append(log, topics.statusTransitions, healthy(T0), forgottenFact(T0 + 10_000, T0));
    const first = projector(withConsumerBehind(log, topics.agentEvents));
    await first.start();
    await waitFor(() => first.stats().forgotten === 1);
    await first.stop();
    expect(await log.committedOffset(`${GROUP_PREFIX}-events`, topics.agentEvents, 0)).toBeNull();
  }

  it('drops a kill of the forgotten life that a restarted projector reads after the fact', async () => {
    await givenForgottenWhileEventsBehind();

    const restarted = projector(log);
    await restarted.start();
    await waitFor(async () => (await log.committedOffset(`${GROUP_PREFIX}-events`, topics.agentEvents, 0)) === 3);

    expect(await store.readStream(agentStreamName('acme', 'a-1'))).toEqual([]);
    expect(await readModel.getAgent('acme', 'a-1')).toBeNull();
    expect((await readModel.fleetSummary('acme')).total).toBe(0);
  });

  it('keeps the guard in the read model until the events consumer has committed past the end agent-events had at the fact', async () => {
    await givenForgottenWhileEventsBehind();
    expect(await readModel.tombstones()).toEqual([{ tenant: 'acme', agentId: 'a-1', cutoff: T0 + 10_000, partition: 0, releaseOffset: 3 }]);

    const restarted = projector(log);
    await restarted.start();
    expect(restarted.stats().forgetGuards).toBe(1);
    await waitFor(async () => (await log.committedOffset(`${GROUP_PREFIX}-events`, topics.agentEvents, 0)) === 3);
    // Committed 3 only once that batch was done: the guard goes with the next batch of the partition (a tick, each second).
    expect(await readModel.tombstones()).toHaveLength(1);

    await append(log, topics.agentEvents, tick(T0 + 11_000));

    await waitFor(() => restarted.stats().forgetGuards === 0);
    expect(await readModel.tombstones()).toEqual([]);
  });

  it('takes the agent back as new, stream and all, when it beats and is killed again after the forget', async () => {
    await givenForgottenWhileEventsBehind();
    const restarted = projector(log);
    await restarted.start();
    await append(log, topics.agentEvents, beat(T0 + 60_000), kill(T0 + 61_000));
    await append(log, topics.statusTransitions, healthy(T0 + 60_000));

    await waitFor(async () => (await store.readStream(agentStreamName('acme', 'a-1'))).length === 2);
    const stream = await store.readStream(agentStreamName('acme', 'a-1'));
    // Two consumers append to it, so the order between them is not fixed; the old life's kill is not there.
    expect(stream.map((e) => e.metadata['eventId']).sort()).toEqual([`kill-${T0 + 61_000}`, `tr-${T0 + 60_000}`]);
    expect(await readModel.getAgent('acme', 'a-1')).toMatchObject({ registeredAt: iso(T0 + 60_000), lastHeartbeatAt: iso(T0 + 60_000) });
  });
});
