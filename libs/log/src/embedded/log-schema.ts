import Database from 'better-sqlite3';

/**
 * Tables of the embedded log, prefixed `log_` so the log can share one file with the event store and the read model.
 * `log_partitions.next_offset` is the high watermark, kept apart from the records so that offsets are never reused
 * after retention or compaction delete the newest records of a partition.
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
  PRIMARY KEY (topic, partition, offset)
);
CREATE INDEX IF NOT EXISTS log_records_by_key ON log_records (topic, partition, key, offset) WHERE key IS NOT NULL;
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
    db.transaction(() => db.exec(SCHEMA)).immediate();
    const incrementalVacuum = db.pragma('auto_vacuum', { simple: true }) === AUTO_VACUUM_INCREMENTAL;
    return { db, incrementalVacuum };
  } catch (err) {
    db.close();
    throw err;
  }
}
