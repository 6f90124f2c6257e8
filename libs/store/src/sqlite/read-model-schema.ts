import type Database from 'better-sqlite3';

/**
 * Tables of the SQLite read model, prefixed `rm_` (the file may be shared with the log and the event store).
 * Labels are duplicated into `rm_agent_labels` so that a `key=value` filter is an index lookup, not a JSON scan.
 * Kill info lives in `rm_kills`, apart from the agent row, because `agent-killed` (on the agent-events topic) and the
 * detector's `→ killed` transition (on the status-transitions topic) may be folded in either order.
 * A metric minute keeps its sketch and latency sum, which the 1 h roll-up merges.
 */
const READ_MODEL_SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_agents (
  tenant            TEXT    NOT NULL,
  agent_id          TEXT    NOT NULL,
  status            TEXT    NOT NULL,
  status_since      INTEGER NOT NULL,
  last_heartbeat_at INTEGER,
  registered_at     INTEGER NOT NULL,
  instance_id       TEXT,
  interval_seconds  REAL    NOT NULL,
  restarts          INTEGER NOT NULL DEFAULT 0,
  flapping          INTEGER NOT NULL DEFAULT 0,
  progress          TEXT,
  host              TEXT,
  version           TEXT,
  labels            TEXT    NOT NULL DEFAULT '{}',
  last_reason       TEXT    NOT NULL DEFAULT '',
  PRIMARY KEY (tenant, agent_id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_agents_by_status ON rm_agents (tenant, status, agent_id);
CREATE INDEX IF NOT EXISTS rm_agents_by_flapping ON rm_agents (tenant, flapping, agent_id);

CREATE TABLE IF NOT EXISTS rm_agent_labels (
  tenant   TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  key      TEXT NOT NULL,
  value    TEXT NOT NULL,
  PRIMARY KEY (tenant, agent_id, key)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_agent_labels_by_value ON rm_agent_labels (tenant, key, value, agent_id);

CREATE TABLE IF NOT EXISTS rm_kills (
  tenant     TEXT NOT NULL,
  agent_id   TEXT NOT NULL,
  killed_by  TEXT,
  reason     TEXT,
  at         INTEGER,
  cleared_at INTEGER,
  PRIMARY KEY (tenant, agent_id)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rm_transitions (
  tenant            TEXT    NOT NULL,
  id                TEXT    NOT NULL,
  agent_id          TEXT    NOT NULL,
  from_status       TEXT    NOT NULL,
  to_status         TEXT    NOT NULL,
  at                INTEGER NOT NULL,
  detected_at       INTEGER NOT NULL,
  reason            TEXT    NOT NULL,
  last_heartbeat_at INTEGER,
  PRIMARY KEY (tenant, id)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS rm_transitions_by_time ON rm_transitions (tenant, at DESC, id DESC);
CREATE INDEX IF NOT EXISTS rm_transitions_by_agent ON rm_transitions (tenant, agent_id, at DESC, id DESC);

CREATE TABLE IF NOT EXISTS rm_metric_minutes (
  tenant       TEXT    NOT NULL,
  agent_id     TEXT    NOT NULL,
  window_start INTEGER NOT NULL,
  window_end   INTEGER NOT NULL,
  count        INTEGER NOT NULL,
  successes    INTEGER NOT NULL,
  failures     INTEGER NOT NULL,
  cost_usd     REAL    NOT NULL,
  latency      TEXT,
  latency_sum  REAL    NOT NULL,
  sketch       TEXT    NOT NULL,
  PRIMARY KEY (tenant, agent_id, window_start)
) WITHOUT ROWID;

CREATE TABLE IF NOT EXISTS rm_checkpoints (
  topic       TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
`;

/** Columns added after the first release, created on files made before them: `[table, column, type]`. */
const ADDED_COLUMNS = [['rm_agents', 'event_loop_delay', 'TEXT']] as const;

/** Creates the read model's tables if absent (safe to run from several processes at once). */
export function migrateReadModel(db: Database.Database): void {
  db.transaction(() => {
    db.exec(READ_MODEL_SCHEMA);
    for (const [table, column, type] of ADDED_COLUMNS) {
      const columns = db.prepare(`SELECT name FROM pragma_table_info('${table}')`).pluck().all() as string[];
      if (!columns.includes(column)) db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${type}`);
    }
  }).immediate();
}
