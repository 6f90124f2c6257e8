import { agentKey, agentStreamName, CONTRACT_VERSION, topicNames, type DetectorOutputEvent } from '@vigil/contracts';
import { createInMemoryLog, type EventLog } from '@vigil/log';
import { waitFor } from '@vigil/log/testing';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ProjectorService } from './projector-service.ts';

const T0 = Date.UTC(2025, 0, 1);
const topics = topicNames('vigil-test.');

function transition(agentId: string, n: number): DetectorOutputEvent {
  const time = new Date(T0 + n).toISOString();
  return {
    version: CONTRACT_VERSION,
    type: 'status-transitioned',
    id: `tr-${agentId}-${n}`,
    time,
    tenant: 'acme',
    agentId,
    data: { from: 'unknown', to: 'healthy', at: time, detectedAt: time, reason: 'first heartbeat', lastHeartbeatAt: time },
  };
}

describe('ProjectorService', () => {
  let log: EventLog;
  let readModel: SqliteReadModel;
  let store: SqliteEventStore;
  let projector: ProjectorService;

  beforeEach(async () => {
    log = createInMemoryLog();
    await log.ensureTopic(topics.agentEvents, { partitions: 1 });
    await log.ensureTopic(topics.statusTransitions, { partitions: 1 });
    readModel = new SqliteReadModel({ path: ':memory:' });
    store = new SqliteEventStore({ path: ':memory:' });
    projector = new ProjectorService({ log, topics, logger: pino({ level: 'silent' }), readModel, store }, { groupPrefix: 'test-projector', streamMaxCount: 3 });
  });

  afterEach(async () => {
    await projector.stop();
    await Promise.all([readModel.close(), store.close(), log.close()]);
  });

  it("folds a batch into the read model and every agent's stream, capped at its retention", async () => {
    const events = [...Array.from({ length: 50 }, (_, i) => transition(`a-${i}`, i)), ...Array.from({ length: 5 }, (_, n) => transition('a-0', 100 + n))];
    await log.append(topics.statusTransitions, events.map((e) => ({ key: agentKey(e.tenant, e.agentId), value: JSON.stringify(e) })));
    await projector.start();
    await waitFor(() => projector.stats().applied === events.length);
    expect((await readModel.fleetSummary('acme')).total).toBe(50);
    expect(await store.readStream(agentStreamName('acme', 'a-7'))).toHaveLength(1);
    const capped = await store.readStream(agentStreamName('acme', 'a-0'));
    expect(capped.map((e) => e.metadata['eventId'])).toEqual(['tr-a-0-102', 'tr-a-0-103', 'tr-a-0-104']);
    expect(projector.stats().stored).toBe(events.length);
  });

  it('lets the event loop run between the batches of a backlog, so requests are not held until it is folded', async () => {
    const batches = 6;
    const events = Array.from({ length: batches * 500 }, (_, i) => transition(`b-${i}`, i));
    await log.append(topics.statusTransitions, events.map((e) => ({ key: agentKey(e.tenant, e.agentId), value: JSON.stringify(e) })));
    let appliedWhenTimerRan = -1;
    await projector.start();
    // A timer stands for a request arriving while the backlog is folded: it must run before the backlog ends.
    await new Promise<void>((resolve) =>
      setTimeout(() => {
        appliedWhenTimerRan = projector.stats().applied;
        resolve();
      }, 0),
    );
    await waitFor(() => projector.stats().applied === events.length, 60_000);
    expect(appliedWhenTimerRan).toBeLessThan(events.length);
  }, 60_000);
});
