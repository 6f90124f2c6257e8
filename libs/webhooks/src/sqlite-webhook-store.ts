import type Database from 'better-sqlite3';
import { DeliveryStatus, WebhookEventName, WebhookFormat } from '@vigil/contracts';
import { InvalidCursorError, openSqliteDatabase, StoreClosedError, StoreUnavailableError } from '@vigil/store';
import { z } from 'zod';
import { DeliveryNotDeadError, DeliveryNotFoundError } from './errors.ts';
import { migrateWebhookStore } from './webhook-schema.ts';
import type { AttemptOutcome, DeliveryPage, DeliveryRecord, HeldNotification, NewDelivery, NotifierTx, WebhookRecord, WebhookStore } from './webhook-store-port.ts';

/** Options of `SqliteWebhookStore`: a file to open, or a handle to share (closed by its owner). */
export type SqliteWebhookStoreOptions = { readonly path: string; readonly busyTimeoutMs?: number } | { readonly database: Database.Database };

interface WebhookRow {
  id: string;
  tenant: string;
  url: string;
  format: string;
  events: string;
  routing_key: string | null;
  secret: string;
  created_at: number;
}

interface DeliveryRow {
  seq: number;
  id: string;
  webhook_id: string;
  tenant: string;
  type: string;
  agent_id: string | null;
  payload: string;
  created_at: number;
  status: string;
  attempts: number;
  next_attempt_at: number | null;
  last_attempt_at: number | null;
  delivered_at: number | null;
  last_status: number | null;
  last_error: string | null;
  response_excerpt: string | null;
}

const EventList = z.array(WebhookEventName);
const Labels = z.record(z.string(), z.string());

function toWebhook(row: WebhookRow): WebhookRecord {
  return {
    id: row.id,
    tenant: row.tenant,
    url: row.url,
    format: WebhookFormat.parse(row.format),
    events: EventList.parse(JSON.parse(row.events)),
    routingKey: row.routing_key,
    secret: row.secret,
    createdAt: row.created_at,
  };
}

function toDelivery(row: DeliveryRow): DeliveryRecord {
  return {
    id: row.id,
    webhookId: row.webhook_id,
    tenant: row.tenant,
    type: row.type,
    agentId: row.agent_id,
    payload: row.payload,
    createdAt: row.created_at,
    status: DeliveryStatus.parse(row.status),
    attempts: row.attempts,
    nextAttemptAt: row.next_attempt_at,
    lastAttemptAt: row.last_attempt_at,
    deliveredAt: row.delivered_at,
    lastStatus: row.last_status,
    lastError: row.last_error,
    responseExcerpt: row.response_excerpt,
  };
}

function isBusy(err: unknown): boolean {
  return typeof err === 'object' && err !== null && 'code' in err && typeof err.code === 'string' && err.code.startsWith('SQLITE_BUSY');
}

/**
 * The webhook store on SQLite (better-sqlite3, synchronous): webhooks, deliveries with their attempts, the
 * notifier's checkpoints, held notifications, the labels and flapping flags it folds, and open groups. Several
 * processes may share the file (WAL, busy timeout): the query service writes webhooks, the notifier delivers.
 */
export class SqliteWebhookStore implements WebhookStore {
  private readonly db: Database.Database;
  private readonly ownsDatabase: boolean;
  private closed = false;
  private readonly s;

  constructor(options: SqliteWebhookStoreOptions) {
    if ('database' in options) {
      this.db = options.database;
      this.ownsDatabase = false;
    } else {
      this.db = openSqliteDatabase(options.path, options.busyTimeoutMs === undefined ? {} : { busyTimeoutMs: options.busyTimeoutMs });
      this.ownsDatabase = true;
    }
    migrateWebhookStore(this.db);
    const db = this.db;
    this.s = {
      insertWebhook: db.prepare<[WebhookRow]>(
        'INSERT INTO wh_webhooks (id, tenant, url, format, events, routing_key, secret, created_at) VALUES (@id, @tenant, @url, @format, @events, @routing_key, @secret, @created_at)',
      ),
      listWebhooks: db.prepare<[string], WebhookRow>('SELECT * FROM wh_webhooks WHERE tenant = ? ORDER BY created_at, id'),
      getWebhook: db.prepare<[string, string], WebhookRow>('SELECT * FROM wh_webhooks WHERE tenant = ? AND id = ?'),
      allWebhooks: db.prepare<[], WebhookRow>('SELECT * FROM wh_webhooks ORDER BY created_at, id'),
      deleteWebhook: db.prepare<[string, string]>('DELETE FROM wh_webhooks WHERE tenant = ? AND id = ?'),
      cancelPending: db.prepare<[string]>("UPDATE wh_deliveries SET status = 'cancelled', next_attempt_at = NULL WHERE webhook_id = ? AND status = 'pending'"),
      insertDelivery: db.prepare<[Record<string, unknown>]>(
        "INSERT OR IGNORE INTO wh_deliveries (id, webhook_id, tenant, type, agent_id, payload, created_at, status, attempts, next_attempt_at) VALUES (@id, @webhookId, @tenant, @type, @agentId, @payload, @createdAt, 'pending', 0, @createdAt)",
      ),
      getDelivery: db.prepare<[string, string, string], DeliveryRow>('SELECT * FROM wh_deliveries WHERE tenant = ? AND webhook_id = ? AND id = ?'),
      listDeliveries: db.prepare<[string, string, number, number], DeliveryRow>('SELECT * FROM wh_deliveries WHERE tenant = ? AND webhook_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?'),
      resend: db.prepare<[number, string]>("UPDATE wh_deliveries SET status = 'pending', attempts = 0, next_attempt_at = ? WHERE id = ?"),
      due: db.prepare<[number, number], DeliveryRow>("SELECT * FROM wh_deliveries WHERE status = 'pending' AND next_attempt_at <= ? ORDER BY next_attempt_at, seq LIMIT ?"),
      nextDue: db.prepare<[], { t: number | null }>("SELECT MIN(next_attempt_at) AS t FROM wh_deliveries WHERE status = 'pending'"),
      attempt: db.prepare<[Record<string, unknown>]>(
        'UPDATE wh_deliveries SET status = @status, attempts = attempts + 1, last_attempt_at = @at, next_attempt_at = @next, delivered_at = @deliveredAt, last_status = @lastStatus, last_error = @lastError, response_excerpt = @excerpt WHERE id = @id',
      ),
      held: db.prepare<[], { id: string; tenant: string; type: string; agent_id: string | null; held_at: number; payload: string }>('SELECT * FROM wh_held ORDER BY held_at, rowid'),
      hold: db.prepare<[string, string, string, string | null, number, string]>('INSERT OR IGNORE INTO wh_held (id, tenant, type, agent_id, held_at, payload) VALUES (?, ?, ?, ?, ?, ?)'),
      release: db.prepare<[string]>('DELETE FROM wh_held WHERE id = ?'),
      releaseAgent: db.prepare<[string, string]>('DELETE FROM wh_held WHERE tenant = ? AND agent_id = ?'),
      depth: db.prepare<[], { n: number }>("SELECT (SELECT COUNT(*) FROM wh_deliveries WHERE status = 'pending') + (SELECT COUNT(*) FROM wh_held) AS n"),
      getCheckpoint: db.prepare<[string, number], { next_offset: number }>('SELECT next_offset FROM wh_checkpoints WHERE topic = ? AND partition = ?'),
      setCheckpoint: db.prepare<[string, number, number]>(
        'INSERT INTO wh_checkpoints (topic, partition, next_offset) VALUES (?, ?, ?) ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset',
      ),
      getAgent: db.prepare<[string, string], { labels: string; flapping: number }>('SELECT labels, flapping FROM wh_agents WHERE tenant = ? AND agent_id = ?'),
      setLabels: db.prepare<[string, string, string]>(
        'INSERT INTO wh_agents (tenant, agent_id, labels) VALUES (?, ?, ?) ON CONFLICT (tenant, agent_id) DO UPDATE SET labels = excluded.labels',
      ),
      setFlapping: db.prepare<[string, string, number]>(
        'INSERT INTO wh_agents (tenant, agent_id, flapping) VALUES (?, ?, ?) ON CONFLICT (tenant, agent_id) DO UPDATE SET flapping = excluded.flapping',
      ),
      addMember: db.prepare<[string, string, string]>('INSERT OR IGNORE INTO wh_group_members (group_id, tenant, agent_id) VALUES (?, ?, ?)'),
      groupsOf: db.prepare<[string, string], { group_id: string }>('SELECT group_id FROM wh_group_members WHERE tenant = ? AND agent_id = ?'),
      removeMember: db.prepare<[string, string]>('DELETE FROM wh_group_members WHERE tenant = ? AND agent_id = ?'),
      groupSize: db.prepare<[string], { n: number }>('SELECT COUNT(*) AS n FROM wh_group_members WHERE group_id = ?'),
    };
  }

  private run<T>(work: () => T): T {
    if (this.closed) throw new StoreClosedError('the webhook store');
    try {
      return work();
    } catch (err) {
      if (isBusy(err)) throw new StoreUnavailableError('the webhook store is locked by another process; retry', err);
      throw err;
    }
  }

  createWebhook(r: WebhookRecord): void {
    this.run(() =>
      this.s.insertWebhook.run({ id: r.id, tenant: r.tenant, url: r.url, format: r.format, events: JSON.stringify(r.events), routing_key: r.routingKey, secret: r.secret, created_at: r.createdAt }),
    );
  }

  listWebhooks(tenant: string): WebhookRecord[] {
    return this.run(() => this.s.listWebhooks.all(tenant).map(toWebhook));
  }

  getWebhook(tenant: string, id: string): WebhookRecord | null {
    return this.run(() => {
      const row = this.s.getWebhook.get(tenant, id);
      return row === undefined ? null : toWebhook(row);
    });
  }

  allWebhooks(): WebhookRecord[] {
    return this.run(() => this.s.allWebhooks.all().map(toWebhook));
  }

  deleteWebhook(tenant: string, id: string): boolean {
    return this.run(() =>
      this.db.transaction(() => {
        const deleted = this.s.deleteWebhook.run(tenant, id).changes > 0;
        if (deleted) this.s.cancelPending.run(id);
        return deleted;
      }).immediate(),
    );
  }

  addDelivery(d: NewDelivery): void {
    this.run(() => this.s.insertDelivery.run({ ...d }));
  }

  getDelivery(tenant: string, webhookId: string, deliveryId: string): DeliveryRecord | null {
    return this.run(() => {
      const row = this.s.getDelivery.get(tenant, webhookId, deliveryId);
      return row === undefined ? null : toDelivery(row);
    });
  }

  listDeliveries(tenant: string, webhookId: string, limit: number, cursor: string | null): DeliveryPage {
    let before = Number.MAX_SAFE_INTEGER;
    if (cursor !== null) {
      if (!/^\d{1,15}$/.test(cursor)) throw new InvalidCursorError(cursor);
      before = Number(cursor);
    }
    return this.run(() => {
      const rows = this.s.listDeliveries.all(tenant, webhookId, before, limit + 1);
      const more = rows.length > limit;
      const page = rows.slice(0, limit);
      return { items: page.map(toDelivery), nextCursor: more ? String(page[page.length - 1]!.seq) : null };
    });
  }

  resend(tenant: string, webhookId: string, deliveryId: string, now: number): DeliveryRecord {
    return this.run(() =>
      this.db.transaction(() => {
        const row = this.s.getDelivery.get(tenant, webhookId, deliveryId);
        if (row === undefined) throw new DeliveryNotFoundError(deliveryId);
        if (row.status !== 'dead') throw new DeliveryNotDeadError(deliveryId, row.status);
        this.s.resend.run(now, deliveryId);
        return toDelivery(this.s.getDelivery.get(tenant, webhookId, deliveryId)!);
      }).immediate(),
    );
  }

  dueDeliveries(now: number, limit: number, exclude: ReadonlySet<string>): DeliveryRecord[] {
    return this.run(() =>
      this.s.due
        .all(now, limit + exclude.size)
        .filter((r) => !exclude.has(r.id))
        .slice(0, limit)
        .map(toDelivery),
    );
  }

  nextDueAt(): number | null {
    return this.run(() => this.s.nextDue.get()?.t ?? null);
  }

  markDelivered(id: string, o: AttemptOutcome): void {
    this.record(id, 'delivered', o, null, o.at);
  }

  markRetry(id: string, o: AttemptOutcome, nextAttemptAt: number): void {
    this.record(id, 'pending', o, nextAttemptAt, null);
  }

  markDead(id: string, o: AttemptOutcome): void {
    this.record(id, 'dead', o, null, null);
  }

  private record(id: string, status: DeliveryStatus, o: AttemptOutcome, next: number | null, deliveredAt: number | null): void {
    this.run(() => this.s.attempt.run({ id, status, at: o.at, next, deliveredAt, lastStatus: o.status, lastError: o.error, excerpt: o.responseExcerpt }));
  }

  heldNotifications(): HeldNotification[] {
    return this.run(() => this.s.held.all().map((r) => ({ id: r.id, tenant: r.tenant, type: r.type, agentId: r.agent_id, heldAt: r.held_at, payload: r.payload })));
  }

  queueDepth(): number {
    return this.run(() => this.s.depth.get()?.n ?? 0);
  }

  transaction<T>(work: (tx: NotifierTx) => T): T {
    const s = this.s;
    const tx: NotifierTx = {
      checkpoint: (topic, partition) => s.getCheckpoint.get(topic, partition)?.next_offset ?? null,
      saveCheckpoint: (topic, partition, nextOffset) => void s.setCheckpoint.run(topic, partition, nextOffset),
      hold: (n) => void s.hold.run(n.id, n.tenant, n.type, n.agentId, n.heldAt, n.payload),
      release: (ids) => {
        for (const id of ids) s.release.run(id);
      },
      releaseAgent: (tenant, agentId) => s.releaseAgent.run(tenant, agentId).changes,
      addDelivery: (d) => void s.insertDelivery.run({ ...d }),
      labelsOf: (tenant, agentId) => {
        const row = s.getAgent.get(tenant, agentId);
        return row === undefined ? {} : Labels.parse(JSON.parse(row.labels));
      },
      setLabels: (tenant, agentId, labels) => void s.setLabels.run(tenant, agentId, JSON.stringify(labels)),
      setFlapping: (tenant, agentId, flapping) => {
        const was = (s.getAgent.get(tenant, agentId)?.flapping ?? 0) !== 0;
        s.setFlapping.run(tenant, agentId, flapping ? 1 : 0);
        return was;
      },
      addGroupMembers: (groupId, tenant, agentIds) => {
        for (const a of agentIds) s.addMember.run(groupId, tenant, a);
      },
      removeGroupMember: (tenant, agentId) => {
        const groups = s.groupsOf.all(tenant, agentId).map((g) => g.group_id);
        if (groups.length === 0) return { wasMember: false, emptied: [] };
        s.removeMember.run(tenant, agentId);
        return { wasMember: true, emptied: groups.filter((g) => (s.groupSize.get(g)?.n ?? 0) === 0) };
      },
    };
    return this.run(() => this.db.transaction(() => work(tx)).immediate());
  }

  async isReady(): Promise<boolean> {
    if (this.closed) return false;
    try {
      this.db.prepare('SELECT 1').get();
      return true;
    } catch {
      return false;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.ownsDatabase) this.db.close();
  }
}
