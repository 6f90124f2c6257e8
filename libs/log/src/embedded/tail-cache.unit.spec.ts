import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from './embedded-log.ts';
import { TailCache } from './tail-cache.ts';

const values = (records: readonly { value: string }[] | null): string[] | null => (records === null ? null : records.map((r) => r.value));

describe('TailCache', () => {
  it('serves only what was published, from the offset asked, as a prefix of at most `limit` records', () => {
    const tail = new TailCache(10);
    tail.stage('t', 0, 0, 'k', 'a', 1);
    tail.stage('t', 0, 1, 'k', 'b', 2);
    expect(tail.read('t', 0, 0, 10)).toBeNull(); // staged, not committed
    tail.publish();
    expect(tail.read('t', 0, 0, 10)).toEqual([
      { topic: 't', partition: 0, offset: 0, key: 'k', value: 'a', timestamp: 1 },
      { topic: 't', partition: 0, offset: 1, key: 'k', value: 'b', timestamp: 2 },
    ]);
    expect(values(tail.read('t', 0, 1, 10))).toEqual(['b']);
    expect(values(tail.read('t', 0, 0, 1))).toEqual(['a']);
    expect(tail.read('t', 0, 2, 10)).toBeNull(); // past the tail: SQLite decides
    expect(tail.read('t', 1, 0, 10)).toBeNull();
    expect(tail.read('t', 0, 0, 0)).toBeNull();
  });

  it('drops what a rolled-back transaction staged', () => {
    const tail = new TailCache(10);
    tail.stage('t', 0, 0, null, 'lost', 1);
    tail.discard();
    tail.stage('t', 0, 0, null, 'kept', 1);
    tail.publish();
    expect(values(tail.read('t', 0, 0, 10))).toEqual(['kept']);
  });

  it('starts a new run when another writer appended in between, and never serves offsets before it', () => {
    const tail = new TailCache(10);
    tail.stage('t', 0, 0, null, 'a', 1);
    tail.publish();
    // Offsets 1 and 2 were written by another connection.
    tail.stage('t', 0, 3, null, 'd', 1);
    tail.publish();
    expect(tail.read('t', 0, 0, 10)).toBeNull();
    expect(tail.read('t', 0, 1, 10)).toBeNull();
    expect(values(tail.read('t', 0, 3, 10))).toEqual(['d']);
  });

  it('keeps the newest records within about twice its capacity, and forgets everything on clear()', () => {
    const tail = new TailCache(2);
    for (let i = 0; i < 7; i++) {
      tail.stage('t', 0, i, null, `v${i}`, i);
      tail.publish();
    }
    expect(tail.read('t', 0, 0, 10)).toBeNull();
    expect(values(tail.read('t', 0, 5, 10))).toEqual(['v5', 'v6']);
    tail.clear();
    expect(tail.read('t', 0, 6, 10)).toBeNull();
  });
});

describe('EmbeddedLog with its tail of recent appends', () => {
  const dirs: string[] = [];
  const logs: EmbeddedLog[] = [];
  afterEach(async () => {
    for (const log of logs.splice(0)) await log.close();
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  function open(path: string, tailRecords?: number): EmbeddedLog {
    const log = new EmbeddedLog(tailRecords === undefined ? { path } : { path, tailRecords });
    logs.push(log);
    return log;
  }
  function file(): string {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-tail-'));
    dirs.push(dir);
    return join(dir, 'log.db');
  }

  it('answers reads of its own appends from memory, the same records SQLite holds, even when another connection appends between them', async () => {
    const path = file();
    const a = open(path);
    const b = open(path);
    await a.ensureTopic('events', { partitions: 1 });
    await b.ensureTopic('events', { partitions: 1 });
    await a.append('events', [{ key: 'x', value: 'a0', partition: 0 }, { key: 'x', value: 'a1', partition: 0 }]);
    await b.append('events', [{ key: 'y', value: 'b2', partition: 0 }]);
    await a.append('events', [{ key: 'x', value: 'a3', partition: 0 }]);
    const fresh = open(path); // no tail: what the file holds
    // b's append broke a's run, so a's tail holds offset 3 only: earlier offsets come from SQLite, whole.
    const expected: Record<number, string[]> = { 0: ['a0', 'a1', 'b2', 'a3'], 1: ['a1', 'b2', 'a3'], 2: ['b2', 'a3'], 3: ['a3'], 4: [] };
    for (const [from, want] of Object.entries(expected)) {
      const got = await a.read('events', 0, Number(from), 10);
      expect(values(got)).toEqual(want);
      expect(got).toEqual(await fresh.read('events', 0, Number(from), 10));
    }
    expect(a.tailCacheStats()).toEqual({ hits: 1, misses: 4 });
  });

  it('never serves a compacted topic from memory, nor records retention deleted', async () => {
    const path = file();
    const log = open(path);
    await log.ensureTopic('state', { partitions: 1, compact: true });
    await log.ensureTopic('old', { partitions: 1, retentionMs: 1_000 });
    await log.append('state', [{ key: 'k', value: 's0', partition: 0 }, { key: 'k', value: 's1', partition: 0 }]);
    await log.append('old', [{ key: null, value: 'o0', partition: 0 }]);
    const before = log.tailCacheStats().hits;
    await log.read('state', 0, 0, 10);
    expect(log.tailCacheStats().hits).toBe(before);
    expect(log.enforceRetention(Date.now() + 3_600_000).deletedRecords).toBeGreaterThan(0);
    expect(await log.read('old', 0, 0, 10)).toEqual([]);
  });

  it('keeps `tailRecords` records of a partition: a read that far behind the end is served from memory, one further back from SQLite', async () => {
    const path = file();
    const log = open(path, 100);
    await log.ensureTopic('events', { partitions: 1 });
    // 250 records in appends of 10: at 210 the tail holds more than twice 100 and trims back to the last 100
    // (offsets 110 on); the 40 after join it.
    for (let i = 0; i < 250; i += 10) await log.append('events', Array.from({ length: 10 }, (_, j) => ({ key: 'k', value: `v${i + j}`, partition: 0 })));
    const before = log.tailCacheStats();
    expect(values(await log.read('events', 0, 110, 10))).toEqual(Array.from({ length: 10 }, (_, j) => `v${110 + j}`));
    expect(log.tailCacheStats().hits).toBe(before.hits + 1);
    expect(values(await log.read('events', 0, 100, 10))).toEqual(Array.from({ length: 10 }, (_, j) => `v${100 + j}`));
    expect(log.tailCacheStats()).toEqual({ hits: before.hits + 1, misses: before.misses + 1 });
    // With the default (2,048) all 250 are in memory.
    const wide = open(file());
    await wide.ensureTopic('events', { partitions: 1 });
    for (let i = 0; i < 250; i += 10) await wide.append('events', Array.from({ length: 10 }, (_, j) => ({ key: 'k', value: `v${i + j}`, partition: 0 })));
    expect(values(await wide.read('events', 0, 0, 250))).toHaveLength(250);
    expect(wide.tailCacheStats().hits).toBe(1);
  });

  it('refuses a tailRecords that is not a positive whole number, naming it', () => {
    for (const tailRecords of [0, -1, 1.5]) {
      expect(() => new EmbeddedLog({ path: ':memory:', tailRecords })).toThrow(expect.objectContaining({ code: 'VIGIL_ERR_INVALID_LOG_OPTIONS', details: { field: 'tailRecords' } }));
    }
  });

  it("hands a producer's decoded value back with its record from memory, and never writes it", async () => {
    const path = file();
    const log = open(path);
    await log.ensureTopic('events', { partitions: 1 });
    const built = { n: 1 };
    await log.append('events', [
      { key: 'k', value: '{"n":1}', decoded: built },
      { key: 'k', value: '{"n":2}' },
    ]);
    const [first, second] = await log.read('events', 0, 0, 10);
    expect(first!.decoded).toBe(built); // the object itself, not a copy
    expect(second).not.toHaveProperty('decoded');
    // Another reader of the file (or a restart) gets the text alone.
    const fresh = open(path);
    const again = await fresh.read('events', 0, 0, 10);
    expect(again.map((r) => r.value)).toEqual(['{"n":1}', '{"n":2}']);
    for (const r of again) expect(r).not.toHaveProperty('decoded');
    // A consumer of the same instance gets it too.
    const seen: unknown[] = [];
    const consumer = log.consumer({ groupId: 'g', topic: 'events' });
    await consumer.start({ eachBatch: async ({ records }) => void seen.push(...records.map((r) => r.decoded)) });
    await expect.poll(() => seen.length).toBe(2);
    await consumer.stop();
    expect(seen).toEqual([built, undefined]);
  });
});
