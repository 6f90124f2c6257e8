import type Database from 'better-sqlite3';
import type { TenantRetention } from '../read-model-port.ts';

/** The read model's copy of each tenant's retention, folded from `retention-set` (the detector keeps it in memory only). */
export interface ReadModelTenantRetention {
  /** Records a tenant's retention (`null`: back to the platform default). Call inside a transaction. */
  set(tenant: string, forgetAfterMs: number | null, at: number, eventId: string): void;
  /** The tenant's own retention, or null when it has none (or restored the default). */
  get(tenant: string): TenantRetention | null;
}

/** Prepares the statements of tenant retention on the read model's database. */
export function prepareTenantRetention(db: Database.Database): ReadModelTenantRetention {
  const upsert = db.prepare<[string, number | null, number, string]>(
    `INSERT INTO rm_tenant_retention (tenant, forget_after_ms, set_at, event_id) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant) DO UPDATE SET forget_after_ms = excluded.forget_after_ms, set_at = excluded.set_at, event_id = excluded.event_id`,
  );
  const select = db.prepare<[string], { forget_after_ms: number | null; set_at: number }>(
    'SELECT forget_after_ms, set_at FROM rm_tenant_retention WHERE tenant = ?',
  );
  return {
    set(tenant, forgetAfterMs, at, eventId) {
      upsert.run(tenant, forgetAfterMs, at, eventId);
    },
    get(tenant) {
      const row = select.get(tenant);
      if (row === undefined || row.forget_after_ms === null) return null;
      return { forgetAfterMs: row.forget_after_ms, setAt: new Date(row.set_at).toISOString() };
    },
  };
}
