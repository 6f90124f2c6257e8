import type { AgentStatus } from '@vigil/contracts';
import type Database from 'better-sqlite3';

/** An agent's status as the read model now holds it; `null`: the agent's row is gone (forgotten). */
export interface AgentStatusChange {
  readonly tenant: string;
  readonly agentId: string;
  readonly status: AgentStatus | null;
}

/**
 * Collects every change of `rm_agents.status` made through one connection, whichever code path made it: TEMP triggers
 * (this connection only, nothing in the file) write each inserted, changed or deleted row's status to a TEMP table,
 * in the same transaction as the change, so a rolled-back write leaves nothing behind. `drain()` after a commit hands
 * the changes over and empties the table. Only status changes are written, so a beat (which updates last-seen) costs
 * the trigger's WHEN test and nothing else.
 */
export class ReadModelStatusChanges {
  readonly #select: Database.Statement<[], { tenant: string; agent_id: string; status: AgentStatus | null }>;
  readonly #clear: Database.Statement;

  constructor(db: Database.Database) {
    db.exec(`
CREATE TEMP TABLE IF NOT EXISTS rm_status_changes (tenant TEXT NOT NULL, agent_id TEXT NOT NULL, status TEXT);
CREATE TEMP TRIGGER IF NOT EXISTS rm_status_changes_insert AFTER INSERT ON main.rm_agents BEGIN
  INSERT INTO rm_status_changes (tenant, agent_id, status) VALUES (NEW.tenant, NEW.agent_id, NEW.status);
END;
CREATE TEMP TRIGGER IF NOT EXISTS rm_status_changes_update AFTER UPDATE OF status ON main.rm_agents
WHEN OLD.status IS NOT NEW.status BEGIN
  INSERT INTO rm_status_changes (tenant, agent_id, status) VALUES (NEW.tenant, NEW.agent_id, NEW.status);
END;
CREATE TEMP TRIGGER IF NOT EXISTS rm_status_changes_delete AFTER DELETE ON main.rm_agents BEGIN
  INSERT INTO rm_status_changes (tenant, agent_id, status) VALUES (OLD.tenant, OLD.agent_id, NULL);
END;`);
    this.#select = db.prepare('SELECT tenant, agent_id, status FROM temp.rm_status_changes ORDER BY rowid');
    this.#clear = db.prepare('DELETE FROM temp.rm_status_changes');
  }

  /**
   * The changes committed since the last drain, oldest first, and empties the list. Called after each write
   * transaction, not per row (an empty TEMP table is one cheap read); a rolled-back transaction took its rows with it.
   */
  drain(): AgentStatusChange[] {
    const changes: AgentStatusChange[] = [];
    for (const row of this.#select.iterate()) changes.push({ tenant: row.tenant, agentId: row.agent_id, status: row.status });
    if (changes.length > 0) this.#clear.run();
    return changes;
  }
}
