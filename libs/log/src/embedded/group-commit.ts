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

/** Counters of what group commit saved, for tests and benchmarks. */
export interface GroupCommitStats {
  /** SQLite transactions committed by groups. */
  readonly groups: number;
  /** Writes (appends, transactions, offset commits) those groups carried. */
  readonly writes: number;
  /** Groups that failed as a whole and were retried one write per transaction, so that each write got its own answer. */
  readonly splits: number;
}

/** What the owner of the writes does around each SQLite transaction of a group. */
export interface GroupHooks {
  /** After BEGIN: per-transaction state (e.g. cached partition ends) starts fresh. */
  begin(): void;
  /** Before COMMIT: writes what the writes deferred (e.g. the partitions' new ends). */
  beforeCommit(): void;
  /** After COMMIT, with the topics appended to (to wake consumers). */
  committed(topics: ReadonlySet<string>): void;
}

/**
 * Group commit: the writes submitted within one turn of the event loop go to SQLite in ONE immediate transaction,
 * flushed from `setImmediate` (after the poll phase that delivered the requests, so concurrent requests share one
 * commit instead of each paying for its own). Every promise settles only after the COMMIT, so a resolved write is
 * durably in the file. Writes are validated by their owner before they are submitted, so a write that still throws
 * is rare (an I/O error, a full disk); then the group is rolled back and its writes are retried one transaction each,
 * so that one failing write fails alone and the others land.
 */
export class GroupCommit {
  readonly #db: Database.Database;
  readonly #sql: Record<'begin' | 'commit' | 'rollback', Database.Statement>;
  readonly #hooks: GroupHooks;
  #pending: PendingWrite[] = [];
  #scheduled: NodeJS.Immediate | null = null;
  #groups = 0;
  #writes = 0;
  #splits = 0;

  constructor(db: Database.Database, hooks: GroupHooks) {
    this.#db = db;
    // Prepared once: better-sqlite3's db.transaction() builds a wrapper per call, which costs more than the commit.
    this.#sql = { begin: db.prepare('BEGIN IMMEDIATE'), commit: db.prepare('COMMIT'), rollback: db.prepare('ROLLBACK') };
    this.#hooks = hooks;
  }

  /** Queues `run` for the next group; resolves with its result once the group committed. */
  submit<T>(what: string, topics: readonly string[], run: () => T): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.#pending.push({ what, topics, run, resolve: resolve as (value: unknown) => void, reject });
      this.#scheduled ??= setImmediate(() => this.flush());
    });
  }

  /** What the groups have carried so far. */
  stats(): GroupCommitStats {
    return { groups: this.#groups, writes: this.#writes, splits: this.#splits };
  }

  /** Commits what is waiting now, in one transaction (also called before the file is closed). */
  flush(): void {
    if (this.#scheduled !== null) clearImmediate(this.#scheduled);
    this.#scheduled = null;
    const group = this.#pending;
    if (group.length === 0) return;
    this.#pending = [];
    let results: unknown[];
    try {
      results = this.#commit(group);
    } catch (err) {
      if (group.length === 1) {
        group[0]!.reject(mapSqliteError(err, group[0]!.what));
        return;
      }
      this.#splits++;
      for (const write of group) this.#commitAlone(write);
      return;
    }
    for (let i = 0; i < group.length; i++) group[i]!.resolve(results[i]);
  }

  /** Runs the writes in one IMMEDIATE transaction (the write lock up front, so busy_timeout queues every process). */
  #commit(group: readonly PendingWrite[]): unknown[] {
    this.#sql.begin.run();
    const results: unknown[] = [];
    try {
      this.#hooks.begin();
      for (const write of group) results.push(write.run());
      this.#hooks.beforeCommit();
      this.#sql.commit.run();
    } catch (err) {
      if (this.#db.inTransaction) this.#sql.rollback.run();
      this.#hooks.begin();
      throw err;
    }
    this.#groups++;
    this.#writes += group.length;
    const topics = new Set<string>();
    for (const write of group) for (const topic of write.topics) topics.add(topic);
    if (topics.size > 0) this.#hooks.committed(topics);
    return results;
  }

  #commitAlone(write: PendingWrite): void {
    let result: unknown;
    try {
      result = this.#commit([write])[0];
    } catch (err) {
      write.reject(mapSqliteError(err, write.what));
      return;
    }
    write.resolve(result);
  }
}
