import Database from 'better-sqlite3';
import { LogUnavailableError } from '../errors.ts';

/** SQLite result codes that say "not now" rather than "never": locks held by another process, I/O trouble, full disk. */
const TRANSIENT = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN'];

/**
 * Turns SQLite's transient failures into a retriable `LogUnavailableError`, so that a consumer backs off and retries
 * instead of treating the record as poison. Anything else is returned unchanged.
 */
export function mapSqliteError(err: unknown, what: string): unknown {
  if (err instanceof Database.SqliteError && TRANSIENT.some((code) => err.code.startsWith(code))) {
    return new LogUnavailableError(`${what}: the SQLite log is unavailable (${err.code})`, err);
  }
  return err;
}
