import type Database from 'better-sqlite3';

/** The read model's handling of `agent-forgotten`: every row of the agent goes, and a tombstone guards the cutoff. */
export interface ReadModelForgetting {
  /** Deletes the agent's row, labels, kill, transitions and metrics, and records its tombstone. Call inside a transaction. */
  forget(tenant: string, agentId: string, cutoff: number, forgottenAt: number): void;
  /**
   * Whether an event at `at` belongs to a forgotten life: the agent has a tombstone whose cutoff is at or after `at`
   * and no row of a new life. Such an event (a beat or kill folded late from the other topic) is dropped.
   */
  isForgotten(tenant: string, agentId: string, at: number): boolean;
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
  const tombstone = db.prepare<[string, string, number, number]>(
    `INSERT INTO rm_forgotten (tenant, agent_id, cutoff, forgotten_at) VALUES (?, ?, ?, ?)
     ON CONFLICT (tenant, agent_id) DO UPDATE SET cutoff = MAX(cutoff, excluded.cutoff), forgotten_at = excluded.forgotten_at`,
  );
  const cutoffOf = db.prepare<[string, string], { cutoff: number }>('SELECT cutoff FROM rm_forgotten WHERE tenant = ? AND agent_id = ?');
  const hasRow = db.prepare<[string, string], { one: number }>('SELECT 1 AS one FROM rm_agents WHERE tenant = ? AND agent_id = ?');
  return {
    forget(tenant, agentId, cutoff, forgottenAt) {
      for (const statement of deletes) statement.run(tenant, agentId);
      tombstone.run(tenant, agentId, cutoff, forgottenAt);
    },
    isForgotten(tenant, agentId, at) {
      const row = cutoffOf.get(tenant, agentId);
      return row !== undefined && at <= row.cutoff && hasRow.get(tenant, agentId) === undefined;
    },
  };
}
