import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from './embedded-log.ts';
import { GroupCommit } from './group-commit.ts';

describe('EmbeddedLog group commit', () => {
  const cleanups: (() => Promise<void> | void)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  function openLog(options: { busyTimeoutMs?: number } = {}): { log: EmbeddedLog; path: string } {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-group-'));
    const path = join(dir, 'log.db');
    const log = new EmbeddedLog({ path, ...options });
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    cleanups.push(() => log.close());
    return { log, path };
  }

  /** Counts the rows of a topic through a connection of its own, i.e. what is durably committed in the file. */
  function committedRows(path: string, topic: string): number {
    const db = new Database(path, { readonly: true });
    try {
      return (db.prepare('SELECT COUNT(*) FROM log_records WHERE topic = ?').pluck().get(topic) as number) ?? 0;
    } finally {
      db.close();
    }
  }

  const topicName = (): string => `vigil-test-${randomUUID()}`;

  it('commits the appends of one turn of the event loop in one SQLite transaction, each with its own positions', async () => {
    const { log } = openLog();
    const topic = topicName();
    await log.ensureTopic(topic, { partitions: 2 });
    const before = log.groupCommitStats();
    const positions = await Promise.all(
      Array.from({ length: 50 }, (_, i) => log.append(topic, [{ key: null, value: `v${i}`, partition: i % 2 }])),
    );
    const after = log.groupCommitStats();
    expect(after.groups - before.groups).toBe(1);
    expect(after.writes - before.writes).toBe(50);
    expect(positions.map((p) => p[0])).toEqual(Array.from({ length: 50 }, (_, i) => ({ partition: i % 2, offset: Math.floor(i / 2) })));
    const read = await log.read(topic, 1, 0, 100);
    expect(read.map((r) => r.value)).toEqual(Array.from({ length: 25 }, (_, i) => `v${2 * i + 1}`));
  });

  it('answers an append only after its group committed: nothing is in the file before, everything after', async () => {
    const { log, path } = openLog();
    const topic = topicName();
    await log.ensureTopic(topic, { partitions: 1 });
    let resolved = false;
    const pending = log.append(topic, [{ key: 'k', value: 'v' }]).then((p) => {
      resolved = true;
      return p;
    });
    await Promise.resolve();
    expect(resolved).toBe(false);
    expect(committedRows(path, topic)).toBe(0);
    await pending;
    expect(committedRows(path, topic)).toBe(1);
  });

  it('a bad write of a turn (unknown topic) fails alone; the others of the group land', async () => {
    const { log } = openLog();
    const topic = topicName();
    await log.ensureTopic(topic, { partitions: 1 });
    const results = await Promise.allSettled([
      log.append(topic, [{ key: 'a', value: 'first' }]),
      // Refused before it joins the group, so it cannot fail the others.
      log.transaction('tx', (tx) => {
        tx.append(topic, [{ key: 'b', value: 'rolled back' }]);
        tx.append(topicName(), [{ key: 'b', value: 'nowhere' }]);
      }),
      log.append(topic, [{ key: 'c', value: 'third' }]),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ code: 'VIGIL_ERR_TOPIC_NOT_FOUND' });
    expect((await log.read(topic, 0, 0, 10)).map((r) => r.value)).toEqual(['first', 'third']);
    expect((await log.read(topic, 0, 0, 10)).map((r) => r.offset)).toEqual([0, 1]);
  });

  it('shares one transaction between appends, transactions and offset commits of the same turn', async () => {
    const { log } = openLog();
    const topic = topicName();
    const out = topicName();
    await log.ensureTopic(topic, { partitions: 1 });
    await log.ensureTopic(out, { partitions: 1 });
    const before = log.groupCommitStats().groups;
    await Promise.all([
      log.append(topic, [{ key: 'k', value: 'in' }]),
      log.transaction('t', (tx) => {
        tx.append(out, [{ key: 'k', value: 'out' }]);
        tx.commitOffset('g', topic, 0, 1);
      }),
    ]);
    expect(log.groupCommitStats().groups - before).toBe(1);
    expect(await log.committedOffset('g', topic, 0)).toBe(1);
    expect((await log.read(out, 0, 0, 1))[0]?.value).toBe('out');
  });

  it('when the group cannot commit (file locked past busy_timeout) every write rejects retriable and none is applied', async () => {
    const { log, path } = openLog({ busyTimeoutMs: 20 });
    const topic = topicName();
    await log.ensureTopic(topic, { partitions: 1 });
    const locker = new Database(path);
    cleanups.push(() => void locker.close());
    locker.prepare('BEGIN IMMEDIATE').run();
    const results = await Promise.allSettled([log.append(topic, [{ key: 'a', value: '1' }]), log.append(topic, [{ key: 'b', value: '2' }])]);
    for (const r of results) {
      expect(r.status).toBe('rejected');
      expect((r as PromiseRejectedResult).reason).toMatchObject({ code: 'VIGIL_ERR_LOG_UNAVAILABLE', retriable: true });
    }
    locker.prepare('ROLLBACK').run();
    expect(await log.endOffset(topic, 0)).toBe(0);
    await log.append(topic, [{ key: 'c', value: '3' }]);
    expect((await log.read(topic, 0, 0, 10)).map((r) => r.value)).toEqual(['3']);
  });

  it('close commits the writes already submitted instead of dropping them', async () => {
    const { log, path } = openLog();
    const topic = topicName();
    await log.ensureTopic(topic, { partitions: 1 });
    const pending = log.append(topic, [{ key: 'k', value: 'v' }]);
    await log.close();
    await expect(pending).resolves.toEqual([{ partition: 0, offset: 0 }]);
    expect(committedRows(path, topic)).toBe(1);
  });

  describe('GroupCommit', () => {
    function openGroup(): { db: Database.Database; group: GroupCommit; woken: string[][] } {
      const db = new Database(':memory:');
      cleanups.push(() => void db.close());
      db.exec('CREATE TABLE t (v TEXT NOT NULL)');
      const woken: string[][] = [];
      const group = new GroupCommit(db, { begin: () => undefined, beforeCommit: () => undefined, committed: (topics) => void woken.push([...topics]) });
      return { db, group, woken };
    }
    const insert = (db: Database.Database, v: string | null) => () => db.prepare('INSERT INTO t (v) VALUES (?)').run(v).changes;

    it('a write that throws inside a group fails alone: the group is rolled back and retried one write per transaction', async () => {
      const { db, group, woken } = openGroup();
      const results = await Promise.allSettled([
        group.submit('a', ['x'], insert(db, 'a')),
        group.submit('bad', ['y'], insert(db, null)), // NOT NULL constraint: throws inside the transaction
        group.submit('c', ['z'], insert(db, 'c')),
      ]);
      expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
      expect(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all()).toEqual(['a', 'c']);
      expect(group.stats()).toMatchObject({ splits: 1 });
      expect(woken).toEqual([['x'], ['z']]);
      expect(db.inTransaction).toBe(false);
    });

    it('writes of separate turns are separate groups, in submission order', async () => {
      const { db, group } = openGroup();
      await group.submit('1', [], insert(db, '1'));
      await Promise.all([group.submit('2', [], insert(db, '2')), group.submit('3', [], insert(db, '3'))]);
      expect(group.stats()).toEqual({ groups: 2, writes: 3, splits: 0 });
      expect(db.prepare('SELECT v FROM t ORDER BY rowid').pluck().all()).toEqual(['1', '2', '3']);
    });
  });
});
