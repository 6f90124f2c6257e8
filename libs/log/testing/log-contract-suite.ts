import { randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ConsumerHandlers, ConsumerOptions, EventLog, LogConsumer, LogRecord, RecordBatch } from '../src/log-port.ts';
import { partitionForKey } from '../src/partitioner.ts';
import { waitFor } from './wait-for.ts';

/** Makes a fresh log for one test, and what tears it down (close the log, remove files). */
export type LogFactory = () => Promise<{ log: EventLog; cleanup: () => Promise<void> }>;

// Generous bounds: a real broker's group join takes seconds. Results are awaited by polling, never by sleeping.
const TEST_TIMEOUT_MS = 60_000;
const WAIT_MS = 30_000;

/** A name no other test (or earlier run against the same broker) uses. */
function uniqueName(): string {
  return `vigil-test-${randomUUID()}`;
}

/** What a test consumer saw, and any breach of the delivery rules it noticed. */
interface Seen {
  readonly records: LogRecord[];
  readonly assigned: Set<number>;
  readonly violations: string[];
}

/**
 * The contract every `EventLog` adapter passes (ARCHITECTURE.md, "Testing"). It assumes only what a real Kafka broker
 * guarantees: offsets increase but may have gaps (transaction markers), group joins take a while, topics and groups
 * are shared with earlier runs (hence random names).
 */
export function logContractSuite(name: string, factory: LogFactory): void {
  describe(`EventLog contract: ${name}`, () => {
    let log: EventLog;
    let cleanup: () => Promise<void>;
    let consumers: LogConsumer[] = [];

    beforeEach(async () => {
      ({ log, cleanup } = await factory());
      consumers = [];
    }, TEST_TIMEOUT_MS);

    afterEach(async () => {
      await Promise.all(consumers.map((c) => c.stop()));
      await cleanup();
    }, TEST_TIMEOUT_MS);

    /** Starts a consumer that records what it receives and checks order, assignment and one-batch-at-a-time. */
    async function consume(options: ConsumerOptions, onBatch?: (batch: RecordBatch) => Promise<void>): Promise<{ consumer: LogConsumer; seen: Seen }> {
      const seen: Seen = { records: [], assigned: new Set(), violations: [] };
      const inFlight = new Set<number>();
      const lastOffset = new Map<number, number>();
      const handlers: ConsumerHandlers = {
        async onAssigned(partitions) {
          for (const p of partitions) seen.assigned.add(p);
        },
        async onRevoked(partitions) {
          for (const p of partitions) seen.assigned.delete(p);
        },
        async eachBatch(batch) {
          if (!seen.assigned.has(batch.partition)) seen.violations.push(`batch of partition ${batch.partition} before onAssigned`);
          if (inFlight.has(batch.partition)) seen.violations.push(`two batches of partition ${batch.partition} at once`);
          inFlight.add(batch.partition);
          try {
            await new Promise((resolve) => setImmediate(resolve));
            for (const record of batch.records) {
              if (record.partition !== batch.partition || record.topic !== batch.topic) seen.violations.push('record outside its batch');
              const previous = lastOffset.get(record.partition);
              if (previous !== undefined && record.offset <= previous) {
                seen.violations.push(`offset ${record.offset} after ${previous} on partition ${record.partition}`);
              }
              lastOffset.set(record.partition, record.offset);
            }
            await onBatch?.(batch);
            seen.records.push(...batch.records);
          } finally {
            inFlight.delete(batch.partition);
          }
        },
      };
      const consumer = log.consumer(options);
      consumers.push(consumer);
      await consumer.start(handlers);
      return { consumer, seen };
    }

    function keyed(prefix: string, count: number, keys = 5): { key: string; value: string }[] {
      return Array.from({ length: count }, (_, i) => ({ key: `tenant/agent-${i % keys}`, value: `${prefix}-${i}` }));
    }

    const values = (records: readonly LogRecord[]): string[] => records.map((r) => r.value);

    it('ensureTopic is idempotent and an existing topic keeps its partitions', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 3 });
      await log.ensureTopic(topic, { partitions: 3 });
      expect(await log.partitionCount(topic)).toBe(3);
      await expect(log.ensureTopic(topic, { partitions: 5 })).rejects.toMatchObject({ code: 'VIGIL_ERR_TOPIC_PARTITIONS_MISMATCH' });
      expect(await log.partitionCount(topic)).toBe(3);
    }, TEST_TIMEOUT_MS);

    it('partitionCount of a missing topic fails with VIGIL_ERR_TOPIC_NOT_FOUND', async () => {
      await expect(log.partitionCount(uniqueName())).rejects.toMatchObject({ code: 'VIGIL_ERR_TOPIC_NOT_FOUND' });
    }, TEST_TIMEOUT_MS);

    it('puts every record of a key on the partition partitionForKey gives, in append order', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 4 });
      const keys = Array.from({ length: 6 }, (_, i) => `tenant-${i % 2}/agent-${i}`);
      // Long enough that an adapter writing many rows per statement has whole statements and a remainder.
      const count = 130;
      const records = Array.from({ length: count }, (_, i) => ({ key: keys[i % keys.length]!, value: JSON.stringify({ k: keys[i % keys.length], seq: Math.floor(i / keys.length) }) }));
      const positions = await log.append(topic, records);
      expect(positions).toHaveLength(records.length);
      const lastOffsetOfKey = new Map<string, number>();
      positions.forEach((position, i) => {
        const key = records[i]!.key;
        expect(position.partition).toBe(partitionForKey(key, 4));
        const previous = lastOffsetOfKey.get(key);
        if (previous !== undefined) expect(position.offset).toBeGreaterThan(previous);
        lastOffsetOfKey.set(key, position.offset);
      });
      const seqsOf = (k: number): number[] => Array.from({ length: Math.floor(count / keys.length) + (k < count % keys.length ? 1 : 0) }, (_, seq) => seq);
      const [again] = await log.append(topic, [{ key: keys[0]!, value: JSON.stringify({ k: keys[0], seq: seqsOf(0).length }) }]);
      expect(again!.partition).toBe(positions[0]!.partition);
      expect(again!.offset).toBeGreaterThan(lastOffsetOfKey.get(keys[0]!)!);

      for (let partition = 0; partition < 4; partition++) {
        const stored = await log.read(topic, partition, 0, 1000);
        for (const key of keys.filter((k) => partitionForKey(k, 4) === partition)) {
          const seqs = stored.map((r) => JSON.parse(r.value) as { k: string; seq: number }).filter((v) => v.k === key).map((v) => v.seq);
          const k = keys.indexOf(key);
          expect(seqs).toEqual(k === 0 ? [...seqsOf(0), seqsOf(0).length] : seqsOf(k));
        }
        for (const record of stored) expect(record.key === null ? null : partitionForKey(record.key, 4)).toBe(partition);
      }
    }, TEST_TIMEOUT_MS);

    it('appends to an explicit partition whatever the key', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 3 });
      const key = 'tenant/agent-explicit';
      const other = (partitionForKey(key, 3) + 1) % 3;
      const [keyedPosition, unkeyedPosition] = await log.append(topic, [
        { key, value: 'keyed', partition: other },
        { key: null, value: 'tick', partition: 2 },
      ]);
      expect(keyedPosition!.partition).toBe(other);
      expect(unkeyedPosition!.partition).toBe(2);
      const [stored] = await log.read(topic, other, keyedPosition!.offset, 1);
      expect(stored).toMatchObject({ topic, partition: other, offset: keyedPosition!.offset, key, value: 'keyed' });
      const [tick] = await log.read(topic, 2, unkeyedPosition!.offset, 1);
      expect(tick).toMatchObject({ key: null, value: 'tick' });
    }, TEST_TIMEOUT_MS);

    it('a consumer receives every record once, in order per partition, one batch at a time per partition', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 3 });
      const before = keyed('before', 30, 7);
      await log.append(topic, before);
      const { seen } = await consume({ groupId: uniqueName(), topic, maxBatchSize: 4 });
      const after = keyed('after', 30, 7);
      for (const record of after) await log.append(topic, [record]);
      const expected = [...before, ...after].map((r) => r.value);
      await waitFor(() => seen.records.length >= expected.length, WAIT_MS);
      expect(values(seen.records).sort()).toEqual([...expected].sort());
      expect(seen.violations).toEqual([]);
      expect([...seen.assigned].sort()).toEqual([0, 1, 2]);
      // Per key, the order of appends is the order of delivery.
      for (let k = 0; k < 7; k++) {
        const ofKey = seen.records.filter((r) => r.key === `tenant/agent-${k}`).map((r) => r.value);
        expect(ofKey).toEqual(expected.filter((_, i) => i % 30 % 7 === k));
      }
    }, TEST_TIMEOUT_MS);

    it('a new consumer in the same group resumes after the last committed offset, repeating nothing', async () => {
      const topic = uniqueName();
      const groupId = uniqueName();
      await log.ensureTopic(topic, { partitions: 2 });
      const first = keyed('first', 10);
      await log.append(topic, first);
      const a = await consume({ groupId, topic });
      await waitFor(() => a.seen.records.length >= first.length, WAIT_MS);
      await a.consumer.stop();
      for (let partition = 0; partition < 2; partition++) {
        const ofPartition = a.seen.records.filter((r) => r.partition === partition);
        if (ofPartition.length === 0) continue;
        const committed = await log.committedOffset(groupId, topic, partition);
        expect(committed).not.toBeNull();
        expect(committed!).toBeGreaterThan(ofPartition[ofPartition.length - 1]!.offset);
        expect(committed!).toBeLessThanOrEqual(await log.endOffset(topic, partition));
      }

      const second = keyed('second', 10);
      await log.append(topic, second);
      const b = await consume({ groupId, topic });
      await waitFor(() => b.seen.records.length >= second.length, WAIT_MS);
      expect(values(b.seen.records).sort()).toEqual(second.map((r) => r.value).sort());
      expect(b.seen.violations).toEqual([]);
    }, TEST_TIMEOUT_MS);

    it('two groups each receive every record', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 2 });
      const records = keyed('r', 12);
      await log.append(topic, records);
      const one = await consume({ groupId: uniqueName(), topic });
      const two = await consume({ groupId: uniqueName(), topic });
      await waitFor(() => one.seen.records.length >= records.length && two.seen.records.length >= records.length, WAIT_MS);
      const expected = records.map((r) => r.value).sort();
      expect(values(one.seen.records).sort()).toEqual(expected);
      expect(values(two.seen.records).sort()).toEqual(expected);
    }, TEST_TIMEOUT_MS);

    it('a consumer with fromBeginning false skips what was appended before it joined', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 1 });
      await log.append(topic, keyed('old', 5));
      const { seen } = await consume({ groupId: uniqueName(), topic, fromBeginning: false });
      // A broker may settle the consumer's start offset a little after start() resolves: keep appending until it sees one.
      let n = 0;
      await waitFor(async () => {
        await log.append(topic, [{ key: 'tenant/agent-0', value: `new-${n++}` }]);
        return seen.records.length > 0;
      }, WAIT_MS, 50);
      expect(seen.records.every((r) => r.value.startsWith('new-'))).toBe(true);
    }, TEST_TIMEOUT_MS);

    it('a transaction applies its appends and offset commit together', async () => {
      const input = uniqueName();
      const output = uniqueName();
      const groupId = uniqueName();
      await log.ensureTopic(input, { partitions: 2 });
      await log.ensureTopic(output, { partitions: 1 });
      const positions = await log.append(input, [1, 2, 3].map((i) => ({ key: null, value: `in-${i}`, partition: 1 })));
      const next = positions[2]!.offset + 1;
      await log.transaction(uniqueName(), async (tx) => {
        tx.append(output, [
          { key: 'tenant/agent-1', value: 'out-1', partition: 0 },
          { key: 'tenant/agent-2', value: 'out-2', partition: 0 },
        ]);
        tx.commitOffset(groupId, input, 1, next);
      });
      expect(await log.committedOffset(groupId, input, 1)).toBe(next);
      expect(await log.committedOffset(groupId, input, 0)).toBeNull();
      expect(values(await log.read(output, 0, 0, 100))).toEqual(['out-1', 'out-2']);
    }, TEST_TIMEOUT_MS);

    it('a transaction whose work throws applies nothing', async () => {
      const input = uniqueName();
      const output = uniqueName();
      const groupId = uniqueName();
      await log.ensureTopic(input, { partitions: 1 });
      await log.ensureTopic(output, { partitions: 1 });
      const [position] = await log.append(input, [{ key: null, value: 'in', partition: 0 }]);
      await expect(
        log.transaction(uniqueName(), (tx) => {
          tx.append(output, [{ key: 'tenant/agent-1', value: 'aborted', partition: 0 }]);
          tx.commitOffset(groupId, input, 0, position!.offset + 1);
          throw new Error('work failed');
        }),
      ).rejects.toThrow('work failed');
      expect(await log.committedOffset(groupId, input, 0)).toBeNull();
      // A later transaction is visible, the aborted one never is (on Kafka it may still occupy offsets).
      await log.transaction(uniqueName(), (tx) => tx.append(output, [{ key: 'tenant/agent-1', value: 'committed', partition: 0 }]));
      expect(values(await log.read(output, 0, 0, 100))).toEqual(['committed']);
      const { seen } = await consume({ groupId: uniqueName(), topic: output });
      await waitFor(() => seen.records.length >= 1, WAIT_MS);
      expect(values(seen.records)).toEqual(['committed']);
    }, TEST_TIMEOUT_MS);

    it('read returns records from an offset up to a limit, and endOffset is past the last record', async () => {
      const topic = uniqueName();
      await log.ensureTopic(topic, { partitions: 1 });
      expect(await log.endOffset(topic, 0)).toBe(0);
      const positions = await log.append(topic, ['a', 'b', 'c'].map((value) => ({ key: null, value, partition: 0 })));
      const end = await log.endOffset(topic, 0);
      expect(end).toBeGreaterThan(positions[2]!.offset);
      const all = await log.read(topic, 0, positions[0]!.offset, 100);
      expect(values(all)).toEqual(['a', 'b', 'c']);
      expect(all.map((r) => r.offset)).toEqual(positions.map((p) => p.offset));
      expect(all.every((r) => r.topic === topic && r.partition === 0 && typeof r.timestamp === 'number')).toBe(true);
      expect(values(await log.read(topic, 0, positions[0]!.offset, 2))).toEqual(['a', 'b']);
      expect(values(await log.read(topic, 0, positions[1]!.offset, 100))).toEqual(['b', 'c']);
      expect(await log.read(topic, 0, end, 100)).toEqual([]);
    }, TEST_TIMEOUT_MS);

    it('with autoCommit false only transactions commit, and a restarted consumer resumes after them', async () => {
      const input = uniqueName();
      const output = uniqueName();
      const groupId = uniqueName();
      await log.ensureTopic(input, { partitions: 2 });
      await log.ensureTopic(output, { partitions: 1 });
      const first = keyed('first', 10);
      await log.append(input, first);
      const processBatch = (batch: RecordBatch): Promise<void> =>
        log.transaction(`${groupId}-${batch.partition}`, (tx) => {
          tx.append(output, batch.records.map((r) => ({ key: r.key, value: `out-${r.value}`, partition: 0 })));
          tx.commitOffset(groupId, input, batch.partition, batch.records[batch.records.length - 1]!.offset + 1);
        });

      const idleGroupId = uniqueName();
      const idle = await consume({ groupId: idleGroupId, topic: input, autoCommit: false });
      const a = await consume({ groupId, topic: input, autoCommit: false }, processBatch);
      await waitFor(() => a.seen.records.length >= first.length && idle.seen.records.length >= first.length, WAIT_MS);
      await a.consumer.stop();
      await idle.consumer.stop();
      for (let partition = 0; partition < 2; partition++) {
        const ofPartition = a.seen.records.filter((r) => r.partition === partition);
        const committed = await log.committedOffset(groupId, input, partition);
        if (ofPartition.length > 0) expect(committed).toBe(ofPartition[ofPartition.length - 1]!.offset + 1);
      }
      // A consumer with autoCommit false that never commits in a transaction leaves no committed offset.
      expect(await Promise.all([0, 1].map((p) => log.committedOffset(idleGroupId, input, p)))).toEqual([null, null]);
      expect(values(await log.read(output, 0, 0, 100)).sort()).toEqual(first.map((r) => `out-${r.value}`).sort());

      const second = keyed('second', 6);
      await log.append(input, second);
      const b = await consume({ groupId, topic: input, autoCommit: false }, processBatch);
      await waitFor(() => b.seen.records.length >= second.length, WAIT_MS);
      expect(values(b.seen.records).sort()).toEqual(second.map((r) => r.value).sort());
    }, TEST_TIMEOUT_MS);
  });
}
