import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { EmbeddedLog } from '@vigil/log';
import { afterEach, describe, expect, it } from 'vitest';
import { RETENTION_CHUNK } from '../../libs/log/src/embedded/retention.ts';

/**
 * Regression (found by test/crash): a retention sweep of the embedded log walked every record of every retained
 * partition, holding SQLite's write lock ~0.5 s per 200,000 records even when it deleted nothing, so other processes
 * sharing the file (the detector's transactions, ingest's appends) failed with SQLITE_BUSY. Retention now deletes from
 * the head only, in steps of RETENTION_CHUNK records. Speed is not asserted (benchmarks measure it); the behaviour that
 * makes it cheap is.
 */
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

function openLog(): { log: EmbeddedLog; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-retention-'));
  dirs.push(dir);
  const path = join(dir, 'log.db');
  return { log: new EmbeddedLog({ path }), path };
}

describe('embedded log retention sweep', () => {
  it('deletes expired records from the head only, stopping at the first young one (as Kafka drops head segments)', async () => {
    const { log, path } = openLog();
    await log.ensureTopic('t', { partitions: 1, retentionMs: 60_000 });
    await log.append('t', ['r0', 'r1', 'r2', 'r3'].map((value) => ({ key: null, value, partition: 0 })));
    // Age r1 and r3 by hand: r2 is young, so r3 waits behind it.
    const db = new Database(path);
    db.prepare("UPDATE log_records SET timestamp = 0 WHERE value IN ('r0', 'r1', 'r3')").run();
    db.close();
    expect(log.enforceRetention(Date.now()).deletedRecords).toBe(2);
    expect((await log.read('t', 0, 0, 10)).map((r) => r.value)).toEqual(['r2', 'r3']);
    await log.close();
  });

  it('deletes a backlog longer than one step completely, step by step, and never past the committed bound', async () => {
    const { log } = openLog();
    const n = RETENTION_CHUNK * 3 + 17;
    await log.ensureTopic('t', { partitions: 1, retentionMs: 1_000 });
    await log.append('t', Array.from({ length: n }, (_, i) => ({ key: null, value: `r${i}`, partition: 0 })));
    await log.transaction('tx', (tx) => tx.commitOffset('g', 't', 0, n - 5));
    expect(log.enforceRetention(Date.now() + 3_600_000).deletedRecords).toBe(n - 5);
    expect((await log.read('t', 0, 0, 10)).map((r) => r.offset)).toEqual([n - 5, n - 4, n - 3, n - 2, n - 1]);
    await log.close();
  });

  it('compacts a changelog longer than one step to the newest record per key', async () => {
    const { log } = openLog();
    await log.ensureTopic('c', { partitions: 1, compact: true });
    const records = Array.from({ length: RETENTION_CHUNK * 2 + 3 }, (_, i) => ({ key: `k${i % 7}`, value: `v${i}`, partition: 0 }));
    await log.append('c', records);
    log.enforceRetention();
    const kept = await log.read('c', 0, 0, 100);
    expect(kept.map((r) => r.value)).toEqual(records.slice(-7).map((r) => r.value));
    await log.close();
  });
});
