import { describe, expect, it } from 'vitest';
import type { RecordPosition } from '../log-port.ts';
import type { PlannedAppend, PlannedMessage } from './planned-append.ts';
import { ProduceBatcher } from './produce-batcher.ts';
import type { PartitionAck } from './produce-batcher.ts';

/** One produce call the fake broker received, answered when the test says so. */
interface Call {
  readonly messages: PlannedMessage[];
  /** Acknowledges the call: appends its messages to the fake partitions and answers their base offsets. */
  ack(options?: { drop?: number }): void;
  fail(err: unknown): void;
}

/**
 * A fake producer for the batching logic only: it records each call, keeps per-partition logs, and answers when the
 * test acknowledges or fails a call, so the tests control exactly what is in flight. Every message names its partition.
 */
function fakeBroker() {
  const calls: Call[] = [];
  const partitions = new Map<number, string[]>();
  const waiting: Array<{ count: number; resolve: () => void }> = [];
  let inFlight = 0;
  let mostInFlight = 0;
  const send = (messages: PlannedMessage[]): Promise<readonly PartitionAck[]> =>
    new Promise<readonly PartitionAck[]>((resolve, reject) => {
      inFlight++;
      mostInFlight = Math.max(mostInFlight, inFlight);
      calls.push({
        messages,
        ack: ({ drop } = {}) => {
          inFlight--;
          const acks: PartitionAck[] = [];
          for (const message of messages) {
            const log = partitions.get(message.partition!) ?? [];
            partitions.set(message.partition!, log);
            if (!acks.some((a) => a.partition === message.partition)) acks.push({ partition: message.partition!, baseOffset: log.length });
            log.push(message.value);
          }
          resolve(acks.filter((a) => a.partition !== drop));
        },
        fail: (err) => {
          inFlight--;
          reject(err);
        },
      });
      for (const w of waiting.filter((w) => calls.length >= w.count)) w.resolve();
    });
  return {
    send,
    calls,
    partitions,
    mostInFlight: () => mostInFlight,
    /** Resolves once the broker has received `count` calls (no timing: the batcher's own setImmediate gets there). */
    callArrived: (count: number): Promise<void> =>
      calls.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiting.push({ count, resolve })),
  };
}

/** An append of `values` to the given partitions (same index), as KafkaLog plans it. */
function plan(values: readonly string[], partitions: readonly number[]): PlannedAppend {
  return { messages: values.map((value, i) => ({ key: null, value, partition: partitions[i]! })), partitions: [...partitions] };
}

/** Tracks whether a promise has settled, so a test can assert that a caller is still waiting. */
function tracked<T>(promise: Promise<T>): { promise: Promise<T>; settled: () => boolean } {
  let done = false;
  const p = promise.finally(() => (done = true));
  p.catch(() => undefined);
  return { promise: p, settled: () => done };
}

const batcherOn = (broker: ReturnType<typeof fakeBroker>, bounds: { maxRecords?: number; maxPartitionBytes?: number } = {}): ProduceBatcher =>
  new ProduceBatcher({ topic: 't', send: broker.send, maxRecords: bounds.maxRecords ?? 1000, maxPartitionBytes: bounds.maxPartitionBytes ?? 512 * 1024 });

describe('ProduceBatcher (group produce of KafkaLog.append)', () => {
  it('sends the appends of one turn of the event loop in one produce call, each answered with its own positions', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker);
    const results = Array.from({ length: 5 }, (_, i) => batcher.submit(plan([`a${i}`, `b${i}`, `c${i}`], [0, 1, 0])));
    await broker.callArrived(1);
    expect(broker.calls).toHaveLength(1);
    expect(broker.calls[0]!.messages.map((m) => m.value)).toEqual(Array.from({ length: 5 }, (_, i) => [`a${i}`, `b${i}`, `c${i}`]).flat());
    broker.calls[0]!.ack();
    const positions = await Promise.all(results);
    expect(positions).toEqual(
      Array.from({ length: 5 }, (_, i): RecordPosition[] => [
        { partition: 0, offset: 2 * i },
        { partition: 1, offset: i },
        { partition: 0, offset: 2 * i + 1 },
      ]),
    );
    // What each caller was told is where the broker has its record.
    positions.forEach((ps, i) => {
      expect(ps.map((p) => broker.partitions.get(p.partition)![p.offset])).toEqual([`a${i}`, `b${i}`, `c${i}`]);
    });
    expect(batcher.stats()).toEqual({ batches: 1, appends: 5, records: 15, largestBatch: 5 });
  });

  it('answers no caller before the broker acknowledged, and sends what arrived meanwhile as the next call, one call in flight', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker);
    const first = tracked(batcher.submit(plan(['first'], [0])));
    await broker.callArrived(1);
    const later = [tracked(batcher.submit(plan(['second'], [0]))), tracked(batcher.submit(plan(['third'], [1])))];
    // Several turns pass with the first call unanswered: nothing resolves and no second call starts.
    for (let i = 0; i < 5; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(broker.calls).toHaveLength(1);
    expect([first, ...later].map((t) => t.settled())).toEqual([false, false, false]);
    broker.calls[0]!.ack();
    expect(await first.promise).toEqual([{ partition: 0, offset: 0 }]);
    await broker.callArrived(2);
    expect(broker.calls[1]!.messages.map((m) => m.value)).toEqual(['second', 'third']);
    expect(later.map((t) => t.settled())).toEqual([false, false]);
    broker.calls[1]!.ack();
    expect(await Promise.all(later.map((t) => t.promise))).toEqual([[{ partition: 0, offset: 1 }], [{ partition: 1, offset: 0 }]]);
    expect(broker.mostInFlight()).toBe(1);
  });

  it("keeps each caller's records in order per partition and callers in arrival order, over many batches", async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker, { maxRecords: 7 });
    const expected = new Map<number, string[]>();
    const results: Array<Promise<RecordPosition[]>> = [];
    const submitted: string[][] = [];
    for (let caller = 0; caller < 40; caller++) {
      const values = Array.from({ length: 1 + (caller % 3) }, (_, j) => `c${caller}-r${j}`);
      const partitions = values.map((_, j) => (caller + j) % 3);
      values.forEach((v, j) => expected.set(partitions[j]!, [...(expected.get(partitions[j]!) ?? []), v]));
      submitted.push(values);
      results.push(batcher.submit(plan(values, partitions)));
    }
    // Acknowledge every call as it arrives until all callers are answered.
    let answered = false;
    const all = Promise.all(results).then((r) => ((answered = true), r));
    for (let n = 1; !answered; n++) {
      await Promise.race([broker.callArrived(n), all]);
      if (broker.calls.length >= n) broker.calls[n - 1]!.ack();
    }
    const positions = await all;
    expect(broker.partitions).toEqual(expected);
    positions.forEach((ps, caller) => expect(ps.map((p) => broker.partitions.get(p.partition)![p.offset])).toEqual(submitted[caller]));
    const distinct = new Set(positions.flat().map((p) => `${p.partition}/${p.offset}`));
    expect(distinct.size).toBe(submitted.flat().length);
    expect(broker.calls.every((c) => c.messages.length <= 7)).toBe(true);
    expect(broker.mostInFlight()).toBe(1);
  });

  it('rejects every caller of a failed call with the retriable VIGIL_ERR_LOG_UNAVAILABLE, and sends the next batch after', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker);
    const failing = [batcher.submit(plan(['a'], [0])), batcher.submit(plan(['b', 'c'], [1, 0]))];
    await broker.callArrived(1);
    const next = batcher.submit(plan(['d'], [0]));
    const refused = Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), { name: 'KafkaJSConnectionError', retriable: true });
    const exhausted = Object.assign(new Error('retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause: refused });
    broker.calls[0]!.fail(exhausted);
    const settled = await Promise.allSettled(failing);
    for (const result of settled) {
      expect(result).toMatchObject({ status: 'rejected', reason: { code: 'VIGIL_ERR_LOG_UNAVAILABLE', retriable: true, statusCode: 503 } });
    }
    await broker.callArrived(2);
    broker.calls[1]!.ack();
    expect(await next).toEqual([{ partition: 0, offset: 0 }]);
  });

  it('rejects only the caller whose partition the broker did not answer for; the others get their offsets', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker);
    const results = [batcher.submit(plan(['a'], [0])), batcher.submit(plan(['x', 'b'], [2, 1])), batcher.submit(plan(['c'], [1]))];
    await broker.callArrived(1);
    broker.calls[0]!.ack({ drop: 2 });
    const settled = await Promise.allSettled(results);
    expect(settled[0]).toEqual({ status: 'fulfilled', value: [{ partition: 0, offset: 0 }] });
    expect(settled[1]).toMatchObject({ status: 'rejected', reason: { code: 'VIGIL_ERR_LOG_REQUEST_REJECTED', details: { reason: 'PARTITIONER_MISMATCH' } } });
    expect(settled[2]).toEqual({ status: 'fulfilled', value: [{ partition: 1, offset: 1 }] });
  });

  it('ends a batch before the append that would pass the record bound, never splitting an append', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker, { maxRecords: 5 });
    const results = [
      batcher.submit(plan(['a1', 'a2'], [0, 0])),
      batcher.submit(plan(['b1', 'b2'], [0, 1])),
      batcher.submit(plan(['c1', 'c2'], [1, 1])), // 6 records with this one: the next batch
      batcher.submit(plan(['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'], [0, 0, 0, 0, 0, 0, 0])), // over the bound alone
      batcher.submit(plan(['e1'], [1])),
    ];
    for (let n = 1; n <= 4; n++) {
      await broker.callArrived(n);
      broker.calls[n - 1]!.ack();
    }
    const positions = await Promise.all(results);
    expect(broker.calls.map((c) => c.messages.map((m) => m.value))).toEqual([
      ['a1', 'a2', 'b1', 'b2'],
      ['c1', 'c2'],
      ['d1', 'd2', 'd3', 'd4', 'd5', 'd6', 'd7'],
      ['e1'],
    ]);
    expect(positions[3]!.map((p) => p.offset)).toEqual([3, 4, 5, 6, 7, 8, 9]);
    expect(positions[4]).toEqual([{ partition: 1, offset: 3 }]);
  });

  it("ends a batch before the append that would pass a partition's byte bound; other partitions do not count against it", async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker, { maxPartitionBytes: 10 });
    const results = [
      batcher.submit(plan(['aaaa'], [0])),
      batcher.submit(plan(['bbbbbbbbbb'], [1])), // 10 bytes on partition 1: fits beside partition 0's 4
      batcher.submit(plan(['cccc'], [0])), // 8 on partition 0: fits
      batcher.submit(plan(['ddd'], [0])), // 11 on partition 0: the next batch
      batcher.submit(plan(['e'.repeat(25)], [0])), // over the bound alone: a batch of its own, whole
    ];
    for (let n = 1; n <= 3; n++) {
      await broker.callArrived(n);
      broker.calls[n - 1]!.ack();
    }
    await Promise.all(results);
    expect(broker.calls.map((c) => c.messages.map((m) => m.value))).toEqual([['aaaa', 'bbbbbbbbbb', 'cccc'], ['ddd'], ['e'.repeat(25)]]);
  });

  it('rejects the appends not sent yet with VIGIL_ERR_LOG_CLOSED on close, and lets the call in flight settle', async () => {
    const broker = fakeBroker();
    const batcher = batcherOn(broker);
    const inFlight = batcher.submit(plan(['sent'], [0]));
    await broker.callArrived(1);
    const queued = batcher.submit(plan(['queued'], [0]));
    batcher.close();
    await expect(queued).rejects.toMatchObject({ code: 'VIGIL_ERR_LOG_CLOSED' });
    await expect(batcher.submit(plan(['late'], [0]))).rejects.toMatchObject({ code: 'VIGIL_ERR_LOG_CLOSED' });
    broker.calls[0]!.ack();
    expect(await inFlight).toEqual([{ partition: 0, offset: 0 }]);
    for (let i = 0; i < 3; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(broker.calls).toHaveLength(1);
  });
});
