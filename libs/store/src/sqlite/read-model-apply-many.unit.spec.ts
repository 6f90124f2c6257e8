import type { HeartbeatEvent } from '@vigil/contracts';
import { afterEach, describe, expect, it } from 'vitest';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const TOPIC = 'vigil.agent-events';

function beat(agentId: string, at: number, receivedAt = iso(at)): HeartbeatEvent {
  return {
    version: 1,
    id: `hb-${agentId}-${at}`,
    time: iso(at),
    tenant: 'acme',
    agentId,
    type: 'heartbeat',
    data: { instanceId: 'i-1', intervalSeconds: 30, seq: 0, sentAt: iso(at), receivedAt },
  };
}

describe('SqliteReadModel.applyMany', () => {
  let rm: SqliteReadModel;
  afterEach(async () => rm.close());

  it("folds several partitions' batches in one write, each advancing its own checkpoint", async () => {
    rm = new SqliteReadModel({ path: ':memory:' });
    await rm.applyMany([
      { events: [beat('a', T0)], checkpoint: { topic: TOPIC, partition: 0, nextOffset: 1 } },
      { events: [beat('b', T0 + 1), beat('c', T0 + 2)], checkpoint: { topic: TOPIC, partition: 1, nextOffset: 2 } },
    ]);
    expect((await rm.fleetSummary('acme')).total).toBe(3);
    expect(await rm.checkpoint(TOPIC, 0)).toBe(1);
    expect(await rm.checkpoint(TOPIC, 1)).toBe(2);
  });

  it('skips a batch whose checkpoint is already there, so a redelivered group folds nothing twice', async () => {
    rm = new SqliteReadModel({ path: ':memory:' });
    await rm.apply([beat('a', T0)], { topic: TOPIC, partition: 0, nextOffset: 1 });
    await rm.applyMany([
      { events: [beat('a', T0 + 5_000)], checkpoint: { topic: TOPIC, partition: 0, nextOffset: 1 } },
      { events: [beat('b', T0 + 5_000)], checkpoint: { topic: TOPIC, partition: 1, nextOffset: 1 } },
    ]);
    expect((await rm.getAgent('acme', 'a'))?.lastHeartbeatAt).toBe(iso(T0));
    expect((await rm.getAgent('acme', 'b'))?.lastHeartbeatAt).toBe(iso(T0 + 5_000));
  });

  it('is all or nothing: a poison event in one batch leaves every batch of the group unapplied', async () => {
    rm = new SqliteReadModel({ path: ':memory:' });
    const poison = beat('bad', T0, 'not a time');
    await expect(
      rm.applyMany([
        { events: [beat('a', T0)], checkpoint: { topic: TOPIC, partition: 0, nextOffset: 1 } },
        { events: [poison], checkpoint: { topic: TOPIC, partition: 1, nextOffset: 1 } },
      ]),
    ).rejects.toMatchObject({ code: 'VIGIL_ERR_INVALID_EVENT' });
    expect(await rm.getAgent('acme', 'a')).toBeNull();
    expect(await rm.checkpoint(TOPIC, 0)).toBeNull();
  });
});
