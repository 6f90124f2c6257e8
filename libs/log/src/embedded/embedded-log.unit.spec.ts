import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import { pino } from 'pino';
import { afterEach, describe, expect, it } from 'vitest';
import { logContractSuite, waitFor } from '../../testing/index.ts';
import type { LogRecord, RecordBatch } from '../log-port.ts';
import { EmbeddedLog } from './embedded-log.ts';
import { createInMemoryLog } from './in-memory-log.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const APPEND_CHILD = fileURLToPath(new URL('./fixtures/append-records.ts', import.meta.url));

function tempDir(): string {
  return mkdtempSync(join(tmpdir(), 'vigil-log-'));
}

logContractSuite('embedded (SQLite file)', async () => {
  const dir = tempDir();
  const log = new EmbeddedLog({ path: join(dir, 'log.db') });
  return {
    log,
    cleanup: async () => {
      await log.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

logContractSuite('embedded (in memory)', async () => {
  const log = createInMemoryLog();
  return { log, cleanup: () => log.close() };
});

describe('EmbeddedLog', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function openLog(options: { logger?: pino.Logger; retentionCheckIntervalMs?: number } = {}): { log: EmbeddedLog; path: string } {
    const dir = tempDir();
    const path = join(dir, 'log.db');
    const log = new EmbeddedLog({ path, ...options });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => log.close());
    return { log, path };
  }

  function spawnAppender(path: string, topic: string, rounds: number | 'forever', keys: number): { child: ChildProcess; exited: Promise<number | null> } {
    const child = spawn(process.execPath, ['--import', 'tsx', APPEND_CHILD, path, topic, String(rounds), String(keys)], {
      cwd: REPO_ROOT,
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(() => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    void exited.then((code) => {
      if (code !== 0 && code !== null) throw new Error(`appender exited with ${code}: ${stderr}`);
    });
    return { child, exited };
  }

  const topicName = (): string => `vigil-test-${randomUUID()}`;
  const values = (records: readonly LogRecord[]): string[] => records.map((r) => r.value);
  const FAR_FUTURE = Date.now() + 3_600_000;

  async function appendValues(log: EmbeddedLog, topic: string, partition: number, items: readonly string[]): Promise<void> {
    await log.append(topic, items.map((value) => ({ key: null, value, partition })));
  }

  async function commit(log: EmbeddedLog, groupId: string, topic: string, partition: number, nextOffset: number): Promise<void> {
    await log.transaction(`commit-${groupId}`, (tx) => tx.commitOffset(groupId, topic, partition, nextOffset));
  }

  describe('retention', () => {
    it('deletes old records but never one at or past the lowest committed offset of a group', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, retentionMs: 1_000 });
      await appendValues(log, topic, 0, ['r0', 'r1', 'r2', 'r3', 'r4', 'r5']);
      await commit(log, 'fast', topic, 0, 5);
      await commit(log, 'slow', topic, 0, 2);
      expect(log.enforceRetention(FAR_FUTURE).deletedRecords).toBe(2);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['r2', 'r3', 'r4', 'r5']);
      await commit(log, 'slow', topic, 0, 6);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['r5']);
      expect(await log.endOffset(topic, 0)).toBe(6);
    });

    it('keeps a whole partition for a group that committed on the topic but not on that partition', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 2, retentionMs: 1_000 });
      await appendValues(log, topic, 0, ['a0', 'a1']);
      await appendValues(log, topic, 1, ['b0', 'b1']);
      await commit(log, 'partial', topic, 1, 2);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['a0', 'a1']);
      expect(values(await log.read(topic, 1, 0, 100))).toEqual([]);
    });

    it('keeps records that a live consumer has not committed yet', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, retentionMs: 1_000 });
      await appendValues(log, topic, 0, ['r0', 'r1', 'r2']);
      const seen: LogRecord[] = [];
      const consumer = log.consumer({ groupId: 'transactional', topic, autoCommit: false });
      await consumer.start({ eachBatch: async (batch) => void seen.push(...batch.records) });
      await waitFor(() => seen.length === 3);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['r0', 'r1', 'r2']);
      await commit(log, 'transactional', topic, 0, 2);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['r2']);
      await consumer.stop();
    });

    it('without consumer groups deletes by age only, and offsets are never reused', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, retentionMs: 60_000 });
      await appendValues(log, topic, 0, ['r0', 'r1', 'r2']);
      expect(log.enforceRetention(Date.now()).deletedRecords).toBe(0);
      expect(log.enforceRetention(FAR_FUTURE).deletedRecords).toBe(3);
      expect(await log.read(topic, 0, 0, 100)).toEqual([]);
      const [position] = await log.append(topic, [{ key: null, value: 'r3', partition: 0 }]);
      expect(position).toEqual({ partition: 0, offset: 3 });
    });

    it('leaves topics without retentionMs or compact untouched', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1 });
      await appendValues(log, topic, 0, ['r0', 'r1']);
      expect(log.enforceRetention(FAR_FUTURE).deletedRecords).toBe(0);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['r0', 'r1']);
    });

    it('compaction keeps the newest record per key and everything not yet committed', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, compact: true });
      const keyed = [
        ['a', 'a1'],
        ['b', 'b1'],
        ['a', 'a2'],
        ['c', 'c1'],
        ['a', 'a3'],
        ['b', 'b2'],
        ['a', 'a4'],
      ] as const;
      await log.append(topic, keyed.map(([key, value]) => ({ key, value, partition: 0 })));
      await commit(log, 'state', topic, 0, 5);
      log.enforceRetention(FAR_FUTURE);
      // a1, b1, a2 and a3 are superseded and committed; c1 is the newest of its key.
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['c1', 'b2', 'a4']);
      // c1 is superseded by c2 but not committed (the group rewound to 2): it stays.
      await commit(log, 'state', topic, 0, 2);
      await log.append(topic, [{ key: 'c', value: 'c2', partition: 0 }]);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 100))).toEqual(['c1', 'b2', 'a4', 'c2']);
    });

    it('compacts the records of one long append (many rows per INSERT) by key as any others', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, compact: true });
      const records = Array.from({ length: 123 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, partition: 0 }));
      await log.append(topic, records);
      await commit(log, 'state', topic, 0, 123);
      log.enforceRetention(FAR_FUTURE);
      expect(values(await log.read(topic, 0, 0, 200))).toEqual(['v116', 'v117', 'v118', 'v119', 'v120', 'v121', 'v122']);
    });

    it('returns the pages it frees to the file system, so the file does not keep its peak size', async () => {
      const { log, path } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1, retentionMs: 1_000 });
      const big = 'x'.repeat(4_000);
      for (let i = 0; i < 20; i++) await appendValues(log, topic, 0, Array.from({ length: 50 }, () => big));
      const inspect = new Database(path, { readonly: true });
      cleanups.push(() => {
        inspect.close();
      });
      const pagesBefore = inspect.pragma('page_count', { simple: true }) as number;
      expect(inspect.pragma('auto_vacuum', { simple: true })).toBe(2);
      expect(log.enforceRetention(FAR_FUTURE).deletedRecords).toBe(1_000);
      expect(inspect.pragma('freelist_count', { simple: true })).toBe(0);
      expect(inspect.pragma('page_count', { simple: true }) as number).toBeLessThan(pagesBefore / 10);
    });
  });

  describe('several processes on one file', () => {
    it('a consumer sees records appended by another process', async () => {
      const { log, path } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 3 });
      const seen: LogRecord[] = [];
      const consumer = log.consumer({ groupId: 'detector', topic });
      await consumer.start({ eachBatch: async (batch) => void seen.push(...batch.records) });
      cleanups.push(() => consumer.stop());
      const { exited } = spawnAppender(path, topic, 25, 4);
      await waitFor(() => seen.length === 100, 20_000);
      expect(await exited).toBe(0);
      for (let k = 0; k < 4; k++) {
        const seqs = seen.filter((r) => r.key === `tenant/agent-${k}`).map((r) => (JSON.parse(r.value) as { seq: number }).seq);
        expect(seqs).toEqual(Array.from({ length: 25 }, (_, i) => i));
      }
    }, 30_000);

    it('a writer killed with SIGKILL mid-stream leaves the file readable and consistent', async () => {
      const { log, path } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 3 });
      const { child, exited } = spawnAppender(path, topic, 'forever', 4);
      const total = async (): Promise<number> => {
        let sum = 0;
        for (let p = 0; p < 3; p++) sum += await log.endOffset(topic, p);
        return sum;
      };
      await waitFor(async () => (await total()) >= 400, 20_000);
      child.kill('SIGKILL');
      expect(await exited).toBeNull();
      expect(child.signalCode).toBe('SIGKILL');

      const inspect = new Database(path);
      cleanups.push(() => {
        inspect.close();
      });
      expect(inspect.pragma('integrity_check', { simple: true })).toBe('ok');

      const reopened = new EmbeddedLog({ path });
      cleanups.push(() => reopened.close());
      const counts = new Map<number, number>();
      for (let p = 0; p < 3; p++) {
        const end = await reopened.endOffset(topic, p);
        const records = await reopened.read(topic, p, 0, end + 10);
        expect(records.map((r) => r.offset)).toEqual(Array.from({ length: end }, (_, i) => i));
        for (const r of records) {
          const { k, seq } = JSON.parse(r.value) as { k: number; seq: number };
          expect(seq).toBe(counts.get(k) ?? 0);
          counts.set(k, seq + 1);
        }
      }
      // Each round was one append (one transaction) across partitions: every key has the same number of records.
      expect(new Set(counts.values()).size).toBe(1);
      const [position] = await reopened.append(topic, [{ key: null, value: 'after-crash', partition: 0 }]);
      expect(position!.offset).toBe(await reopened.endOffset(topic, 0) - 1);
    }, 30_000);
  });

  describe('consumers', () => {
    it('says how many records of its most behind partition a group has not committed (null before it commits)', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 2 });
      expect(log.unreadRecords('readers', topic)).toBeNull();
      await appendValues(log, topic, 0, ['a', 'b', 'c']);
      await appendValues(log, topic, 1, ['d']);
      await commit(log, 'readers', topic, 1, 0);
      expect(log.unreadRecords('readers', topic)).toBe(1);
      await commit(log, 'readers', topic, 0, 1);
      expect(log.unreadRecords('readers', topic)).toBe(2);
      await commit(log, 'readers', topic, 0, 3);
      await commit(log, 'readers', topic, 1, 1);
      expect(log.unreadRecords('readers', topic)).toBe(0);
      expect(log.unreadRecords('others', topic)).toBeNull();
      await log.close();
      expect(() => log.unreadRecords('readers', topic)).toThrow(/closed/);
    });

    it('retries a batch that throws from the same offset and logs the error with err', async () => {
      const lines: string[] = [];
      const sink = new Writable({
        write(chunk: Buffer, _encoding, callback) {
          lines.push(chunk.toString());
          callback();
        },
      });
      const { log } = openLog({ logger: pino({ level: 'error' }, sink) });
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1 });
      await appendValues(log, topic, 0, ['r0', 'r1', 'r2']);
      const attempts: number[] = [];
      const handled: string[] = [];
      const consumer = log.consumer({ groupId: 'flaky', topic, maxBatchSize: 2 });
      await consumer.start({
        async eachBatch(batch: RecordBatch) {
          attempts.push(batch.records[0]!.offset);
          if (attempts.length <= 2) throw new Error('handler not ready');
          handled.push(...values(batch.records));
        },
      });
      cleanups.push(() => consumer.stop());
      // The offset is committed after the batch that handled r2 returned: wait for that commit, not only the handling.
      await waitFor(async () => handled.length === 3 && (await log.committedOffset('flaky', topic, 0)) === 3);
      expect(attempts).toEqual([0, 0, 0, 2]);
      expect(handled).toEqual(['r0', 'r1', 'r2']);
      expect(await log.committedOffset('flaky', topic, 0)).toBe(3);
      const logged = lines.map((line) => JSON.parse(line) as { err?: { message: string }; topic?: string; partition?: number });
      expect(logged.filter((l) => l.err?.message === 'handler not ready')).toHaveLength(2);
      expect(logged[0]).toMatchObject({ topic, partition: 0 });
    });

    it('shares partitions round-robin within a group and hands them over when a consumer stops', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 4 });
      const events: string[] = [];
      const received = new Map<string, string[]>([
        ['a', []],
        ['b', []],
      ]);
      const handlers = (name: string) => ({
        async onAssigned(partitions: readonly number[]) {
          events.push(`${name}+${partitions.join(',')}`);
        },
        async onRevoked(partitions: readonly number[]) {
          events.push(`${name}-${partitions.join(',')}`);
        },
        async eachBatch(batch: RecordBatch) {
          received.get(name)!.push(...batch.records.map((r) => `${r.partition}:${r.value}`));
        },
      });
      const a = log.consumer({ groupId: 'shared', topic });
      await a.start(handlers('a'));
      const b = log.consumer({ groupId: 'shared', topic });
      await b.start(handlers('b'));
      expect(events).toEqual(['a+0,1,2,3', 'a-1,3', 'b+1,3']);
      for (let p = 0; p < 4; p++) await appendValues(log, topic, p, [`first-${p}`]);
      await waitFor(() => received.get('a')!.length + received.get('b')!.length === 4);
      expect(received.get('a')!.sort()).toEqual(['0:first-0', '2:first-2']);
      expect(received.get('b')!.sort()).toEqual(['1:first-1', '3:first-3']);
      await b.stop();
      expect(events.slice(3)).toEqual(['b-1,3', 'a+1,3']);
      for (let p = 0; p < 4; p++) await appendValues(log, topic, p, [`second-${p}`]);
      await waitFor(() => received.get('a')!.length === 6);
      expect(received.get('a')!.slice(2).sort()).toEqual(['0:second-0', '1:second-1', '2:second-2', '3:second-3']);
      await a.stop();
      expect(events.slice(5)).toEqual(['a-0,1,2,3']);
    });

    it('wakes a consumer at once on an append made through another log instance in the same process', async () => {
      const { log, path } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1 });
      const writer = new EmbeddedLog({ path, pollIntervalMs: 60_000 });
      cleanups.push(() => writer.close());
      const reader = new EmbeddedLog({ path, pollIntervalMs: 60_000 });
      cleanups.push(() => reader.close());
      const seen: LogRecord[] = [];
      const consumer = reader.consumer({ groupId: 'same-process', topic });
      await consumer.start({ eachBatch: async (batch) => void seen.push(...batch.records) });
      await writer.append(topic, [{ key: 'k', value: 'v' }]);
      // Well under the 1 s idle safety wait and the 60 s poll: only the in-process notifier can explain it.
      await waitFor(() => seen.length === 1, 500);
      await consumer.stop();
    });

    it('refuses to start a consumer twice', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1 });
      const consumer = log.consumer({ groupId: 'g', topic });
      await consumer.start({ eachBatch: async () => undefined });
      await expect(consumer.start({ eachBatch: async () => undefined })).rejects.toMatchObject({ code: 'VIGIL_ERR_CONSUMER_ALREADY_STARTED' });
      await consumer.stop();
    });

    it('fails to start on a missing topic with VIGIL_ERR_TOPIC_NOT_FOUND', async () => {
      const { log } = openLog();
      const consumer = log.consumer({ groupId: 'g', topic: topicName() });
      await expect(consumer.start({ eachBatch: async () => undefined })).rejects.toMatchObject({ code: 'VIGIL_ERR_TOPIC_NOT_FOUND' });
    });
  });

  describe('errors and lifecycle', () => {
    it('rejects an append to a missing topic or an out-of-range partition, writing nothing', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 2 });
      await expect(log.append(topicName(), [{ key: 'k', value: 'v' }])).rejects.toMatchObject({ code: 'VIGIL_ERR_TOPIC_NOT_FOUND' });
      await expect(
        log.append(topic, [
          { key: 'k', value: 'v', partition: 0 },
          { key: 'k', value: 'v', partition: 2 },
        ]),
      ).rejects.toMatchObject({ code: 'VIGIL_ERR_PARTITION_OUT_OF_RANGE' });
      expect(await log.endOffset(topic, 0)).toBe(0);
      await expect(log.read(topic, 5, 0, 1)).rejects.toMatchObject({ code: 'VIGIL_ERR_PARTITION_OUT_OF_RANGE' });
    });

    it('a transaction used after its work returned fails with VIGIL_ERR_TRANSACTION_ENDED', async () => {
      const { log } = openLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 1 });
      let escaped: Parameters<Parameters<EmbeddedLog['transaction']>[1]>[0] | null = null;
      await log.transaction('t', (tx) => {
        escaped = tx;
      });
      expect(() => escaped!.append(topic, [{ key: 'k', value: 'late' }])).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_TRANSACTION_ENDED' }));
    });

    it('rejects invalid options and topic options with VIGIL_ERR_INVALID_LOG_OPTIONS naming the field', async () => {
      expect(() => new EmbeddedLog({ path: ':memory:', pollIntervalMs: 0 })).toThrow(
        expect.objectContaining({ code: 'VIGIL_ERR_INVALID_LOG_OPTIONS', details: { field: 'pollIntervalMs' } }),
      );
      expect(() => new EmbeddedLog({ path: ':memory:', synchronous: 'off' as 'full' })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_LOG_OPTIONS' }));
      const log = createInMemoryLog();
      cleanups.push(() => log.close());
      await expect(log.ensureTopic(topicName(), { partitions: 0 })).rejects.toMatchObject({ code: 'VIGIL_ERR_INVALID_LOG_OPTIONS' });
    });

    it('close stops running consumers, is idempotent, and later calls fail with VIGIL_ERR_LOG_CLOSED', async () => {
      const log = createInMemoryLog();
      const topic = topicName();
      await log.ensureTopic(topic, { partitions: 2 });
      const revoked: number[] = [];
      const consumer = log.consumer({ groupId: 'g', topic });
      await consumer.start({ eachBatch: async () => undefined, onRevoked: async (p) => void revoked.push(...p) });
      expect(await log.isReady()).toBe(true);
      await Promise.all([log.close(), log.close()]);
      expect(revoked.sort()).toEqual([0, 1]);
      expect(await log.isReady()).toBe(false);
      await expect(log.append(topic, [{ key: 'k', value: 'v' }])).rejects.toMatchObject({ code: 'VIGIL_ERR_LOG_CLOSED' });
      await consumer.stop();
    });

    it('keeps the file where it was asked to', async () => {
      const { log, path } = openLog();
      await log.ensureTopic(topicName(), { partitions: 1 });
      expect(statSync(path).isFile()).toBe(true);
    });
  });
});
