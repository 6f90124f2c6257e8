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

-- Agents forgotten (agent-forgotten facts): a beat or kill folded later from the other topic and not newer than
-- the cutoff belonged to the forgotten life and must not bring the row back. partition and release_offset (added
-- columns, below) say when the projector may release the tombstone; one folded without them is pruned with the
-- transitions.
CREATE TABLE IF NOT EXISTS rm_forgotten (
  tenant       TEXT    NOT NULL,
  agent_id     TEXT    NOT NULL,
  cutoff       INTEGER NOT NULL,
  forgotten_at INTEGER NOT NULL,
  PRIMARY KEY (tenant, agent_id)
) WITHOUT ROWID;

-- Each tenant's own retention (retention-set; forget_after_ms NULL: back to the platform default), kept because only
-- the detector's memory holds it otherwise, and GET /v1/retention answers what the detector applies: folded from the
-- copies on partition 0 of agent-events, in log order.
CREATE TABLE IF NOT EXISTS rm_tenant_retention (
  tenant          TEXT    NOT NULL PRIMARY KEY,
  forget_after_ms INTEGER,
  set_at          INTEGER NOT NULL,
  event_id        TEXT    NOT NULL
) WITHOUT ROWID;

-- Hours rolled up from metric minutes once the minutes pass their retention (the 1 h view keeps them longer).
CREATE TABLE IF NOT EXISTS rm_metric_hours (
  tenant      TEXT    NOT NULL,
  agent_id    TEXT    NOT NULL,
  hour_start  INTEGER NOT NULL,
  count       INTEGER NOT NULL,
  successes   INTEGER NOT NULL,
  failures    INTEGER NOT NULL,
  cost_usd    REAL    NOT NULL,
  latency     TEXT,
  latency_sum REAL    NOT NULL,
  sketch      TEXT    NOT NULL,
  PRIMARY KEY (tenant, agent_id, hour_start)
) WITHOUT ROWID;

-- Newest event time folded: retention is measured from it (event time, not the wall clock), so a replay prunes
-- exactly what the live run pruned.
CREATE TABLE IF NOT EXISTS rm_clock (
  id          INTEGER PRIMARY KEY CHECK (id = 1),
  newest_time INTEGER NOT NULL
);

CREATE TABLE IF NOT EXISTS rm_checkpoints (
  topic       TEXT    NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)
) WITHOUT ROWID;
`;

/**
 * Severity rank of a status, worst first (`sort=severity`): unreachable, stalled, degraded, killed, healthy, stopped.
 * A virtual column so that the list's index holds it and a cursor seeks straight to the next page.
 */
export const SEVERITY_ORDER = ['unreachable', 'stalled', 'degraded', 'killed', 'healthy', 'stopped'] as const;

const SEVERITY_SQL = `CASE status ${SEVERITY_ORDER.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} ELSE ${SEVERITY_ORDER.length} END`;

/**
 * Columns and indexes added after the first release, each applied only where missing, so an existing file upgrades
 * in place. `severity` and `seen_order` are virtual (computed on read, stored only in their index): the sorted lists
 * page through an index with a row-value seek, never an OFFSET scan. `seq` numbers transitions in fold order, which
 * is what the transition stream resumes from.
 */
const ADDED_COLUMNS: readonly { table: string; column: string; definition: string }[] = [
  { table: 'rm_agents', column: 'severity', definition: `INTEGER GENERATED ALWAYS AS (${SEVERITY_SQL}) VIRTUAL` },
  { table: 'rm_agents', column: 'seen_order', definition: 'INTEGER GENERATED ALWAYS AS (coalesce(last_heartbeat_at, -1)) VIRTUAL' },
  { table: 'rm_transitions', column: 'seq', definition: 'INTEGER' },
  // JSON of the last beat's `eventLoopDelayMs`.
  { table: 'rm_agents', column: 'event_loop_delay', definition: 'TEXT' },
  // A tombstone's release point: the agent's partition of agent-events and the end offset it had at the fact.
  { table: 'rm_forgotten', column: 'partition', definition: 'INTEGER' },
  { table: 'rm_forgotten', column: 'release_offset', definition: 'INTEGER' },
];

const INDEXES_ON_ADDED_COLUMNS = `
CREATE INDEX IF NOT EXISTS rm_agents_by_severity ON rm_agents (tenant, severity, status_since, agent_id);
CREATE INDEX IF NOT EXISTS rm_agents_by_last_seen ON rm_agents (tenant, seen_order, agent_id);
CREATE INDEX IF NOT EXISTS rm_transitions_by_seq ON rm_transitions (seq);
CREATE INDEX IF NOT EXISTS rm_transitions_by_tenant_seq ON rm_transitions (tenant, seq);
CREATE INDEX IF NOT EXISTS rm_forgotten_by_release ON rm_forgotten (partition, release_offset) WHERE release_offset IS NOT NULL;
`;

/**
 * Fleet counts per tenant and status, kept by triggers on `rm_agents` in the same transaction as every insert,
 * status or flapping change and delete (forgetting included), so `fleetSummary` reads a handful of rows whatever
 * the fleet's size, and a query process reading the projector's file sees the same counts.
 */
const FLEET_COUNTS_SCHEMA = `
CREATE TABLE rm_fleet_counts (
  tenant   TEXT    NOT NULL,
  status   TEXT    NOT NULL,
  agents   INTEGER NOT NULL,
  flapping INTEGER NOT NULL,
  PRIMARY KEY (tenant, status)
) WITHOUT ROWID;
INSERT INTO rm_fleet_counts (tenant, status, agents, flapping)
  SELECT tenant, status, COUNT(*), SUM(flapping) FROM rm_agents GROUP BY tenant, status;
`;

const FLEET_COUNT_TRIGGERS = `
CREATE TRIGGER IF NOT EXISTS rm_agents_counted_insert AFTER INSERT ON rm_agents BEGIN
  INSERT INTO rm_fleet_counts (tenant, status, agents, flapping) VALUES (NEW.tenant, NEW.status, 1, NEW.flapping)
    ON CONFLICT (tenant, status) DO UPDATE SET agents = agents + 1, flapping = flapping + excluded.flapping;
END;
CREATE TRIGGER IF NOT EXISTS rm_agents_counted_update AFTER UPDATE OF status, flapping ON rm_agents
  WHEN OLD.status IS NOT NEW.status OR OLD.flapping IS NOT NEW.flapping BEGIN
  UPDATE rm_fleet_counts SET agents = agents - 1, flapping = flapping - OLD.flapping WHERE tenant = OLD.tenant AND status = OLD.status;
  INSERT INTO rm_fleet_counts (tenant, status, agents, flapping) VALUES (NEW.tenant, NEW.status, 1, NEW.flapping)
    ON CONFLICT (tenant, status) DO UPDATE SET agents = agents + 1, flapping = flapping + excluded.flapping;
END;
CREATE TRIGGER IF NOT EXISTS rm_agents_counted_delete AFTER DELETE ON rm_agents BEGIN
  UPDATE rm_fleet_counts SET agents = agents - 1, flapping = flapping - OLD.flapping WHERE tenant = OLD.tenant AND status = OLD.status;
END;
`;

/** Counters of the read model that must survive pruning (the transition sequence never goes back). */
const META_SCHEMA = `
CREATE TABLE IF NOT EXISTS rm_meta (
  key   TEXT    NOT NULL PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
`;

function hasTable(db: Database.Database, name: string): boolean {
  return db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(name) !== undefined;
}

function hasColumn(db: Database.Database, table: string, column: string): boolean {
  // table_xinfo, not table_info: generated columns are hidden from the latter.
  return db.prepare<[], { name: string }>(`PRAGMA table_xinfo(${table})`).all().some((c) => c.name === column);
}

/** Numbers transitions folded before `seq` existed, oldest first, and starts the sequence after them. */
function backfillTransitionSeq(db: Database.Database): void {
  db.exec(`
    UPDATE rm_transitions SET seq = o.rn
    FROM (SELECT tenant, id, row_number() OVER (ORDER BY at, id) AS rn FROM rm_transitions) AS o
    WHERE rm_transitions.tenant = o.tenant AND rm_transitions.id = o.id;
    INSERT INTO rm_meta (key, value) SELECT 'transition_seq', coalesce(MAX(seq), 0) FROM rm_transitions WHERE true
      ON CONFLICT (key) DO UPDATE SET value = max(value, excluded.value);
  `);
}

/** Creates the read model's tables if absent and upgrades older files in place (safe to run from several processes at once). */
export function migrateReadModel(db: Database.Database): void {
  db.transaction(() => {
    db.exec(READ_MODEL_SCHEMA);
    db.exec(META_SCHEMA);
    for (const { table, column, definition } of ADDED_COLUMNS) {
      if (hasColumn(db, table, column)) continue;
      db.exec(`ALTER TABLE ${table} ADD COLUMN ${column} ${definition}`);
      if (column === 'seq') backfillTransitionSeq(db);
    }
    db.exec(INDEXES_ON_ADDED_COLUMNS);
    if (!hasTable(db, 'rm_fleet_counts')) db.exec(FLEET_COUNTS_SCHEMA);
    db.exec(FLEET_COUNT_TRIGGERS);
  }).immediate();
}
