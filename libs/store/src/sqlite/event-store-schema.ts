import type Database from 'better-sqlite3';

/**
 * Tables of the SQLite event store, prefixed `es_` because embedded mode shares the file with the log and the read
 * model. `position` is AUTOINCREMENT so a position is never handed out twice, even after retention deleted the newest
 * rows; `es_streams` outlives its events, remembering the last revision (never reused) and the truncation point.
 */
const EVENT_STORE_SCHEMA = `
CREATE TABLE IF NOT EXISTS es_events (
  position    INTEGER PRIMARY KEY AUTOINCREMENT,
  stream_name TEXT    NOT NULL,
  revision    INTEGER NOT NULL,
  event_id    TEXT    NOT NULL,
  type        TEXT    NOT NULL,
  data        TEXT    NOT NULL,
  metadata    TEXT    NOT NULL,
  created_at  INTEGER NOT NULL,
  UNIQUE (stream_name, revision)
);
CREATE INDEX IF NOT EXISTS es_events_stream_event_id ON es_events (stream_name, event_id);
CREATE TABLE IF NOT EXISTS es_streams (
  stream_name     TEXT    PRIMARY KEY,
  last_revision   INTEGER NOT NULL,
  truncate_before INTEGER NOT NULL DEFAULT 0,
  max_count       INTEGER,
  max_age_ms      INTEGER
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS es_streams_with_max_age ON es_streams (stream_name) WHERE max_age_ms IS NOT NULL;
`;

/** Creates the event store's tables if absent (safe to run from several processes at once). */
export function migrateEventStore(db: Database.Database): void {
  db.transaction(() => db.exec(EVENT_STORE_SCHEMA)).immediate();
}
