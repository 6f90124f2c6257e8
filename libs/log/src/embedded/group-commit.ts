import type Database from 'better-sqlite3';
import { mapSqliteError } from './sqlite-errors.ts';

/** One write waiting for the next group: its work, the topics it appends to, and who waits for it. */
interface PendingWrite {
  readonly what: string;
  readonly topics: readonly string[];
  readonly run: () => unknown;
  readonly resolve: (value: unknown) => void;
  readonly reject: (err: unknown) => void;
}

/** The outcome of one write inside a group, settled only after the group's COMMIT. */
type Outcome = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly err: unknown };

/** Counters of what group commit saved, for tests and benchmarks. */
export interface GroupCommitStats {
  /** SQLite transactions committed by groups. */
  readonly groups: number;
  /** Writes (appends, transactions, offset commits) those groups carried. */
  readonly writes: number;
}

/** Thrown inside a group when SQLite rolled back the whole transaction on its own (I/O error, full disk). */
class GroupAborted extends Error {
  constructor(readonly reason: unknown) {
    super('the SQLite transaction of the group was rolled back');
  }
}

/**
 * Group commit: the writes submitted within one turn of the event loop go to SQLite in ONE immediate transaction,
 * flushed from `setImmediate` (after the poll phase that delivered the requests, so concurrent requests share one
 * commit instead of each paying for its own). Each write runs in its own savepoint, so one that throws is rolled back
 * alone and rejects alone; every promise settles only after the COMMIT, so a resolved write is durably in the file.
 * If the commit itself fails (lock held past busy_timeout, I/O error), every write of the group rejects with the
 * mapped, retriable error and nothing of the group is applied.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #sql: Record<'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollbackTo', Database.Statement>;
  readonly #onCommitted: (topics: ReadonlySet<string>) => void;
  #pending: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #groups = 0;
  #writes = 0;

  /** `onCommitted` hears the topics appended to by each committed group (to wake consumers). */
  constructor(db: Database.Database, onCommitted: (topics: ReadonlySet<string>) => void) {
    this.#db = db;
    // Prepared once: better-sqlite3's db.transaction() builds a wrapper per call, which costs more than a savepoint.
    this.#sql = {
      begin: db.prepare('BEGIN IMMEDIATE'),
      commit: db.prepare('COMMIT'),
      rollback: db.prepare('ROLLBACK'),
      savepoint: db.prepare('SAVEPOINT vigil_write'),
      release: db.prepare('RELEASE vigil_write'),
      rollbackTo: db.prepare('ROLLBACK TO vigil_write'),
    };
    this.#onCommitted = onCommitted;
  }

  /** Queues `run` for the next group; resolves with its result once the group committed. */
  submit<T>(what: string, topics: readonly string[], run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ what, topics, run, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** Whether writes are waiting for a group. */
  get idle(): boolean {
    return this.#pending.length === 0;
  }

  /** What the groups have carried so far. */
  stats(): GroupCommitStats {
    return { groups: this.#groups, writes: this.#writes };
  }

  /** Commits what is waiting now, in one transaction (also called before the file is closed). */
  flush(): void {
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    const outcomes: Outcome[] = [];
    try {
      // IMMEDIATE takes the write lock up front, so busy_timeout queues the writers of every process.
      this.#sql.begin.run();
      try {
        for (const write of group) outcomes.push(this.#runInSavepoint(write));
        this.#sql.commit.run();
      } catch (err) {
        if (this.#db.inTransaction) this.#sql.rollback.run();
        throw err;
      }
    } catch (err) {
      const cause = err instanceof GroupAborted ? err.reason : err;
      for (const write of group) write.reject(mapSqliteError(cause, write.what));
      return;
    }
    this.#groups++;
    this.#writes += group.length;
    const appended = new Set<string>();
    for (let i = 0; i < group.length; i++) {
      if (outcomes[i]!.ok) for (const topic of group[i]!.topics) appended.add(topic);
    }
    if (appended.size > 0) this.#onCommitted(appended);
    for (let i = 0; i < group.length; i++) {
      const outcome = outcomes[i]!;
      if (outcome.ok) group[i]!.resolve(outcome.value);
      else group[i]!.reject(mapSqliteError(outcome.err, group[i]!.what));
    }
  }

  /** Runs one write in a SAVEPOINT: a write that throws is rolled back to it, the rest of the group stays. */
  #runInSavepoint(write: PendingWrite): Outcome {
    this.#sql.savepoint.run();
    try {
      const value = write.run();
      this.#sql.release.run();
      return { ok: true, value };
    } catch (err) {
      // Some errors (SQLITE_FULL, SQLITE_IOERR…) make SQLite roll back the whole transaction; going on would start a
      // new one outside the group, so the group fails as a whole.
      if (!this.#db.inTransaction) throw new GroupAborted(err);
      this.#sql.rollbackTo.run();
      this.#sql.release.run();
      return { ok: false, err };
    }
  }
}
