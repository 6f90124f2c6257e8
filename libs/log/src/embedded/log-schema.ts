import Database from 'better-sqlite3';

/**
 * Tables of the embedded log, prefixed `log_` so the log can share one file with the event store and the read model.
 * `log_partitions.next_offset` is the high watermark, kept apart from the records so that offsets are never reused
 * after retention or compaction delete the newest records of a partition.
 *
 * `log_records.compaction_key` is the key of a record of a compacted topic (NULL on other topics), and only it is
 * indexed: compaction needs "is there a newer record of this key", but an index over every record's key (as files of
 * earlier versions had, `log_records_by_key`) put each append at a random place in a b-tree and tripled its cost.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS log_topics (
  topic        TEXT PRIMARY KEY,
  partitions   INTEGER NOT NULL,
  retention_ms INTEGER,
  compact      INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS log_partitions (
  topic       TEXT NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS log_records (
  topic     TEXT NOT NULL,
  partition INTEGER NOT NULL,
  offset    INTEGER NOT NULL,
  key       TEXT,
  value     TEXT NOT NULL,
  timestamp INTEGER NOT NULL,
  compaction_key TEXT,
  PRIMARY KEY (topic, partition, offset)
);
CREATE TABLE IF NOT EXISTS log_committed_offsets (
  group_id     TEXT NOT NULL,
  topic        TEXT NOT NULL,
  partition    INTEGER NOT NULL,
  next_offset  INTEGER NOT NULL,
  committed_at INTEGER NOT NULL,
  PRIMARY KEY (group_id, topic, partition)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS log_committed_offsets_by_topic ON log_committed_offsets (topic, partition);
`;

/** Created after the migration below, so that a file of an earlier version gets the column first. */
const COMPACTION_INDEX = `
CREATE INDEX IF NOT EXISTS log_records_by_compaction_key ON log_records (topic, partition, compaction_key, offset)
  WHERE compaction_key IS NOT NULL;
`;

/**
 * Brings a file of an earlier version to this schema: adds `compaction_key`, fills it on compacted topics, drops the
 * index over every key. Cheap: adding a nullable column rewrites nothing, and compacted topics are small.
 */
function migrateCompactionKey(db: Database.Database): void {
  const columns = db.prepare("SELECT name FROM pragma_table_info('log_records')").pluck().all() as string[];
  if (!columns.includes('compaction_key')) {
    db.exec('ALTER TABLE log_records ADD COLUMN compaction_key TEXT');
    db.exec('UPDATE log_records SET compaction_key = key WHERE topic IN (SELECT topic FROM log_topics WHERE compact = 1)');
  }
  db.exec('DROP INDEX IF EXISTS log_records_by_key');
}

/** `PRAGMA auto_vacuum` value meaning INCREMENTAL. */
const AUTO_VACUUM_INCREMENTAL = 2;

/** How the file was opened, for the log to report. */
export interface OpenedLogDatabase {
  readonly db: Database.Database;
  /** Whether freed pages can be returned to the file system with `PRAGMA incremental_vacuum`. */
  readonly incrementalVacuum: boolean;
}

/**
 * Opens (and if needed creates) the log's SQLite file for use by several processes at once:
 * - WAL: readers never block the writer, and a consumer in another process sees each commit;
 * - busy_timeout: writers of several processes queue for the lock instead of failing;
 * - synchronous NORMAL (default) in WAL survives a process crash or SIGKILL; FULL also survives power loss;
 * - auto_vacuum INCREMENTAL, which SQLite only accepts before the first table exists, so that pages freed by retention
 *   go back to the file system (`PRAGMA incremental_vacuum` after each sweep). On an older file created without it,
 *   freed pages are still reused by later appends, so the file stays bounded by its peak size;
 * - journal_size_limit, so the WAL file is truncated after checkpoints instead of keeping its largest size.
 */
export function openLogDatabase(path: string, options: { busyTimeoutMs: number; synchronous: 'normal' | 'full' }): OpenedLogDatabase {
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${options.busyTimeoutMs}`);
    db.pragma('auto_vacuum = INCREMENTAL');
    if (!db.memory) db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('journal_size_limit = 67108864');
    db.transaction(() => {
      db.exec(SCHEMA);
      migrateCompactionKey(db);
      db.exec(COMPACTION_INDEX);
    }).immediate();
    const incrementalVacuum = db.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL;
    return { db, incrementalVacuum };
  } catch (err) {
    db.close();
    throw err;
  }
}
