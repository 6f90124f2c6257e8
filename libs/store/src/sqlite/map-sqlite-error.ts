import Database from 'better-sqlite3';
import { StoreUnavailableError } from '../errors.ts';

/**
 * Turns SQLite's "another connection holds the lock past the busy timeout" into a retriable store error, so that a
 * consumer backs off and retries instead of treating the event as poison. Anything else is returned unchanged.
 */
export function mapSqliteError(err: unknown, what: string): unknown {
  if (err instanceof Database.SqliteError && (err.code.startsWith('SQLITE_BUSY') || err.code.startsWith('SQLITE_LOCKED'))) {
    return new StoreUnavailableError(`${what}: the SQLite file is locked by another writer (${err.code})`, err);
  }
  return err;
}
