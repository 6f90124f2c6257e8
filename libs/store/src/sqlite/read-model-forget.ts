import type Database from 'better-sqlite3';
import type { Tombstone, TombstoneRelease } from '../read-model-port.ts';

/** The read model's handling of `agent-forgotten`: every row of the agent goes, and a tombstone guards the cutoff. */
export interface ReadModelForgetting {
  /**
   * Deletes the agent's row, labels, kill, transitions and metrics, and records its tombstone (with its release point
   * when the projector gave one). Call inside a transaction.
   */
  forget(tenant: string, agentId: string, cutoff: number, forgottenAt: number, release: TombstoneRelease | undefined): void;
  /**
   * Whether an event at `at` belongs to a forgotten life: the agent has a tombstone whose cutoff is at or after `at`
   * and no row of a new life. Such an event (a beat or kill folded late from the other topic) is dropped.
   */
  isForgotten(tenant: string, agentId: string, at: number): boolean;
  /** Every tombstone that has a release point. */
  tombstones(): Tombstone[];
  /** Deletes the tombstones of `partition` released by `committedOffset`; returns how many. Call inside a transaction. */
  release(partition: number, committedOffset: number): number;
}

interface TombstoneRow {
  tenant: string;
  agent_id: string;
  cutoff: number;
  partition: number;
  release_offset: number;
}

/** Prepares the statements of forgetting on the read model's database. */
export function prepareForgetting(db: Database.Database): ReadModelForgetting {
  const deletes = [
    'DELETE FROM rm_agents WHERE tenant = ? AND agent_id = ?',
    'DELETE FROM rm_agent_labels WHERE tenant = ? AND agent_id = ?',
    'DELETE FROM rm_kills WHERE tenant = ? AND agent_id = ?',
    'DELETE FROM rm_transitions WHERE tenant = ? AND agent_id = ?',
    'DELETE FROM rm_metric_minutes WHERE tenant = ? AND agent_id = ?',
    'DELETE FROM rm_metric_hours WHERE tenant = ? AND agent_id = ?',
  ].map((sql) => db.prepare<[string, string]>(sql));
  // A later fact of the same agent (it came back and was forgotten again) moves the release point on: the newer
  // fact's is the one that still has to be passed.
  const tombstone = db.prepare<[string, string, number, number, number | null, number | null]>(
    `INSERT INTO rm_forgotten (tenant, agent_id, cutoff, forgotten_at, partition, release_offset) VALUES (?, ?, ?, ?, ?, ?)
     ON CONFLICT (tenant, agent_id) DO UPDATE SET cutoff = MAX(cutoff, excluded.cutoff), forgotten_at = excluded.forgotten_at,
       partition = excluded.partition, release_offset = excluded.release_offset`,
  );
  const cutoffOf = db.prepare<[string, string], { cutoff: number }>('SELECT cutoff FROM rm_forgotten WHERE tenant = ? AND agent_id = ?');
  const hasRow = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM rm_agents WHERE tenant = ? AND agent_id = ?');
  const withRelease = db.prepare<[], TombstoneRow>(
    'SELECT tenant, agent_id, cutoff, partition, release_offset FROM rm_forgotten WHERE release_offset IS NOT NULL',
  );
  const released = db.prepare<[number, number]>('DELETE FROM rm_forgotten WHERE partition = ? AND release_offset IS NOT NULL AND release_offset <= ?');
  return {
    forget(tenant, agentId, cutoff, forgottenAt, release) {
      for (const statement of deletes) statement.run(tenant, agentId);
      tombstone.run(tenant, agentId, cutoff, forgottenAt, release?.partition ?? null, release?.releaseOffset ?? null);
    },
    isForgotten(tenant, agentId, at) {
      const row = cutoffOf.get(tenant, agentId);
      return row !== undefined && at <= row.cutoff && hasRow.get(tenant, agentId) === undefined;
    },
    tombstones() {
      return withRelease.all().map((r) => ({ tenant: r.tenant, agentId: r.agent_id, cutoff: r.cutoff, partition: r.partition, releaseOffset: r.release_offset }));
    },
    release(partition, committedOffset) {
      return released.run(partition, committedOffset).changes;
    },
  };
}
