import type Database from 'better-sqlite3';

/** Tables of the webhook store; `wh_` so they sit beside the log's, the store's and the read model's in one file. */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS wh_webhooks (
  id          TEXT PRIMARY KEY,
  tenant      TEXT NOT NULL,
  url         TEXT NOT NULL,
  format      TEXT NOT NULL,
  events      TEXT NOT NULL,
  routing_key TEXT,
  secret      TEXT NOT NULL,
  created_at  INTEGER NOT NULL
);
CREATE INDEX IF NOT EXISTS wh_webhooks_by_tenant ON wh_webhooks (tenant, created_at);
CREATE TABLE IF NOT EXISTS wh_deliveries (
  seq              INTEGER PRIMARY KEY AUTOINCREMENT,
  id               TEXT NOT NULL UNIQUE,
  webhook_id       TEXT NOT NULL,
  tenant           TEXT NOT NULL,
  type             TEXT NOT NULL,
  agent_id         TEXT,
  payload          TEXT NOT NULL,
  created_at       INTEGER NOT NULL,
  status           TEXT NOT NULL,
  attempts         INTEGER NOT NULL DEFAULT 0,
  next_attempt_at  INTEGER,
  last_attempt_at  INTEGER,
  delivered_at     INTEGER,
  last_status      INTEGER,
  last_error       TEXT,
  response_excerpt TEXT
);
CREATE INDEX IF NOT EXISTS wh_deliveries_due ON wh_deliveries (status, next_attempt_at);
CREATE INDEX IF NOT EXISTS wh_deliveries_by_webhook ON wh_deliveries (webhook_id, seq);
CREATE TABLE IF NOT EXISTS wh_held (
  id       TEXT PRIMARY KEY,
  tenant   TEXT NOT NULL,
  type     TEXT NOT NULL,
  agent_id TEXT,
  held_at  INTEGER NOT NULL,
  payload  TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS wh_checkpoints (
  topic       TEXT NOT NULL,
  partition   INTEGER NOT NULL,
  next_offset INTEGER NOT NULL,
  PRIMARY KEY (topic, partition)
);
CREATE TABLE IF NOT EXISTS wh_agents (
  tenant   TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  labels   TEXT NOT NULL DEFAULT '{}',
  flapping INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tenant, agent_id)
);
CREATE TABLE IF NOT EXISTS wh_group_members (
  group_id TEXT NOT NULL,
  tenant   TEXT NOT NULL,
  agent_id TEXT NOT NULL,
  PRIMARY KEY (group_id, agent_id)
);
CREATE INDEX IF NOT EXISTS wh_group_members_by_agent ON wh_group_members (tenant, agent_id);
`;

/** Creates the webhook store's tables if missing. */
export function migrateWebhookStore(db: Database.Database): void {
  db.exec(SCHEMA);
}
