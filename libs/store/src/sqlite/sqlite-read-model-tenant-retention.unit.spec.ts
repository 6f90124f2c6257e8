import type { RetentionSetEvent } from '@vigil/contracts';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { SqliteReadModel } from './sqlite-read-model.ts';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const TOPIC = 'vigil.agent-events';
const DAY = 24 * 3600 * 1000;

const retentionSet = (id: string, at: number, forgetAfterMs: number | null, tenant = 'acme'): RetentionSetEvent => ({
  version: 1,
  id,
  time: new Date(at).toISOString(),
  tenant,
  type: 'retention-set',
  data: { forgetAfterMs },
});

describe('SqliteReadModel: tenant retention', () => {
  let rm: SqliteReadModel;
  const next = new Map<number, number>();
  /** Folds events as the next batch of one partition of agent-events. */
  const onPartition = (partition: number, ...events: RetentionSetEvent[]): Promise<void> => {
    const offset = (next.get(partition) ?? 0) + events.length;
    next.set(partition, offset);
    return rm.apply(events, { topic: TOPIC, partition, nextOffset: offset });
  };

  beforeEach(() => {
    next.clear();
    rm = new SqliteReadModel({ path: ':memory:', sweepOnTimer: false });
  });
  afterEach(async () => {
    await rm.close();
  });

  it('has none for a tenant that never set one', async () => {
    expect(await rm.tenantRetention('acme')).toBeNull();
  });

  it("keeps the tenant's latest setting, of that tenant only", async () => {
    await onPartition(0, retentionSet('r1', T0, 3 * DAY));
    expect(await rm.tenantRetention('acme')).toEqual({ forgetAfterMs: 3 * DAY, setAt: new Date(T0).toISOString() });
    expect(await rm.tenantRetention('globex')).toBeNull();

    await onPartition(0, retentionSet('r2', T0 + 1000, 36 * 3600 * 1000));
    expect((await rm.tenantRetention('acme'))?.forgetAfterMs).toBe(36 * 3600 * 1000);
  });

  it('forgets the setting when the tenant restores the platform default (null)', async () => {
    await onPartition(0, retentionSet('r1', T0, 3 * DAY));
    await onPartition(0, retentionSet('r2', T0 + 1000, null));
    expect(await rm.tenantRetention('acme')).toBeNull();
  });

  it("holds what partition 0's detector applies: its copies, in log order, whatever order the partitions are folded in", async () => {
    // Every partition carries both settings in order; partition 1 is folded behind partition 0.
    await onPartition(0, retentionSet('r1', T0, 3 * DAY), retentionSet('r2', T0 + 1000, 5 * DAY));
    await onPartition(1, retentionSet('r1', T0, 3 * DAY));
    expect((await rm.tenantRetention('acme'))?.forgetAfterMs).toBe(5 * DAY);
    // Log order decides, not the events' times (two settings may share a millisecond).
    await onPartition(0, retentionSet('r3', T0 + 1000, DAY));
    expect((await rm.tenantRetention('acme'))?.forgetAfterMs).toBe(DAY);
  });
});
