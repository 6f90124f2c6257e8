import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { EmbeddedLog } from './embedded-log.ts';

/** The records table and key index as files written before `compaction_key` had them. */
const EARLIER_SCHEMA = `
CREATE TABLE log_topics (topic TEXT PRIMARY KEY, partitions INTEGER NOT NULL, retention_ms INTEGER, compact INTEGER NOT NULL DEFAULT 0, created_at INTEGER NOT NULL);
CREATE TABLE log_partitions (topic TEXT NOT NULL, partition INTEGER NOT NULL, next_offset INTEGER NOT NULL, PRIMARY KEY (topic, partition)) WITHOUT ROWID;
CREATE TABLE log_records (topic TEXT NOT NULL, partition INTEGER NOT NULL, offset INTEGER NOT NULL, key TEXT, value TEXT NOT NULL, timestamp INTEGER NOT NULL, PRIMARY KEY (topic, partition, offset));
CREATE INDEX log_records_by_key ON log_records (topic, partition, key, offset) WHERE key IS NOT NULL;
INSERT INTO log_topics VALUES ('state', 1, NULL, 1, 0), ('events', 1, NULL, 0, 0);
INSERT INTO log_partitions VALUES ('state', 0, 3), ('events', 0, 2);
INSERT INTO log_records VALUES ('state', 0, 0, 'a', 'a1', 0), ('state', 0, 1, 'b', 'b1', 0), ('state', 0, 2, 'a', 'a2', 0);
INSERT INTO log_records VALUES ('events', 0, 0, 'a', 'e1', 0), ('events', 0, 1, 'a', 'e2', 0);
`;

describe('embedded log schema', () => {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  function earlierFile(): string {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-log-schema-'));
    dirs.push(dir);
    const path = join(dir, 'log.db');
    const db = new Database(path);
    db.exec(EARLIER_SCHEMA);
    db.close();
    return path;
  }

  it('indexes keys of compacted topics only, so appends elsewhere do not pay for a key index', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'vigil-log-schema-'));
    dirs.push(dir);
    const path = join(dir, 'log.db');
    const log = new EmbeddedLog({ path });
    await log.ensureTopic('events', { partitions: 1 });
    await log.ensureTopic('state', { partitions: 1, compact: true });
    await log.append('events', [{ key: 'a', value: 'e' }]);
    await log.append('state', [{ key: 'a', value: 's' }]);
    await log.close();
    const db = new Database(path, { readonly: true });
    const rows = db.prepare('SELECT topic, compaction_key FROM log_records ORDER BY topic').all();
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log_records' AND sql IS NOT NULL").pluck().all();
    db.close();
    expect(rows).toEqual([
      { topic: 'events', compaction_key: null },
      { topic: 'state', compaction_key: 'a' },
    ]);
    expect(indexes).toEqual(['log_records_by_compaction_key']);
  });

  it('migrates a file of an earlier version: compacted topics keep compacting, the old key index is gone', async () => {
    const path = earlierFile();
    const log = new EmbeddedLog({ path });
    await log.append('state', [{ key: 'b', value: 'b2' }]);
    expect(log.enforceRetention().deletedRecords).toBe(2); // a1 and b1 are superseded
    expect((await log.read('state', 0, 0, 10)).map((r) => r.value)).toEqual(['a2', 'b2']);
    expect((await log.read('events', 0, 0, 10)).map((r) => r.value)).toEqual(['e1', 'e2']);
    await log.close();
    const db = new Database(path, { readonly: true });
    const indexes = db.prepare("SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'log_records' AND sql IS NOT NULL").pluck().all();
    db.close();
    expect(indexes).toEqual(['log_records_by_compaction_key']);
    // Opening again finds nothing left to migrate.
    const again = new EmbeddedLog({ path });
    expect((await again.read('state', 0, 0, 10)).map((r) => r.value)).toEqual(['a2', 'b2']);
    await again.close();
  });
});
