import { decodeAgentEvent } from '@vigil/contracts';
import { ManualScheduler } from '@vigil/http/testing';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PARTITIONS, T0, createHarness, endOffsets, logWith, type Harness } from '../../../test/support/service-harness.ts';
import { TickWriter } from './tick-writer.ts';

let h: Harness;

beforeEach(async () => {
  h = await createHarness();
});

afterEach(async () => {
  await h.close();
});

function writer(scheduler = new ManualScheduler(), log = h.log) {
  return new TickWriter({ log, topic: h.topics.agentEvents, logger: h.logger, now: h.now, newId: h.newId, scheduler, intervalMs: 1000, metrics: h.metrics });
}

async function settle(): Promise<void> {
  for (let i = 0; i < 10; i++) await new Promise((resolve) => setImmediate(resolve));
}

describe('TickWriter', () => {
  it('writes one tick into every partition, at the given time, with an explicit partition and no key', async () => {
    const ticks = writer();
    expect(await ticks.tickOnce(T0 + 2000)).toBe(PARTITIONS);
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(1));
    for (let p = 0; p < PARTITIONS; p++) {
      const [record] = await h.log.read(h.topics.agentEvents, p, 0, 10);
      expect(record?.key).toBeNull();
      expect(decodeAgentEvent(record!.value)).toMatchObject({ type: 'tick', version: 1, time: '2025-01-01T00:00:02.000Z', data: { partition: p } });
    }
  });

  it('ticks on each timer firing with the clock time, and stops when stopped', async () => {
    const scheduler = new ManualScheduler();
    const ticks = writer(scheduler);
    ticks.start();
    expect(scheduler.intervals).toEqual([1000]);
    h.clock.now = T0 + 1000;
    scheduler.runAll();
    await settle();
    h.clock.now = T0 + 2000;
    scheduler.runAll();
    await settle();
    await ticks.stop();
    expect(scheduler.active).toBe(0);
    expect(ticks.running).toBe(false);
    expect(await endOffsets(h.log, h.topics.agentEvents)).toEqual(Array(PARTITIONS).fill(2));
    const times = (await h.log.read(h.topics.agentEvents, 0, 0, 10)).map((r) => decodeAgentEvent(r.value).time);
    expect(times).toEqual(['2025-01-01T00:00:01.000Z', '2025-01-01T00:00:02.000Z']);
    expect(h.metrics.counter('vigil_ticks_written_total', '').value()).toBe(2 * PARTITIONS);
  });

  it('skips a firing while the previous ticks are still being written', async () => {
    const scheduler = new ManualScheduler();
    let release: () => void = () => undefined;
    let appends = 0;
    const slow = logWith(h.log, {
      append: async (topic, records) => {
        appends++;
        await new Promise<void>((resolve) => (release = resolve));
        return h.log.append(topic, records);
      },
    });
    const ticks = writer(scheduler, slow);
    ticks.start();
    scheduler.runAll();
    await settle();
    scheduler.runAll();
    await settle();
    expect(appends).toBe(1);
    release();
    await ticks.stop();
  });

  it('survives a failing log and counts the failure', async () => {
    const scheduler = new ManualScheduler();
    const failing = logWith(h.log, { append: async () => Promise.reject(new Error('log down')) });
    const ticks = writer(scheduler, failing);
    ticks.start();
    scheduler.runAll();
    await settle();
    expect(ticks.running).toBe(true);
    expect(h.metrics.counter('vigil_tick_failures_total', '').value()).toBe(1);
    await ticks.stop();
  });
});
