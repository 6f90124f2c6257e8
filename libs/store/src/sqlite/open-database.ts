import Database from 'better-sqlite3';

/** Default time a statement waits for another connection's write lock before failing with SQLITE_BUSY. */
export const DEFAULT_BUSY_TIMEOUT_MS = 5000;

/**
 * Opens a SQLite file the way every Vigil adapter needs it: WAL (readers never block the writer, and other processes
 * can follow the file), a busy timeout (writers from several processes queue instead of failing), and
 * `synchronous=NORMAL`, which in WAL mode survives a crash of the process (not of the machine) at a fraction of the
 * cost of FULL. Embedded mode opens one handle with this and hands it to the log, the store and the read model.
 */
export function openSqliteDatabase(path: string, options: { busyTimeoutMs?: number } = {}): Database.Database {
  const db = new Database(path);
  db.pragma(`busy_timeout = ${Math.max(0, Math.floor(options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS))}`);
  // Only takes effect before the first table exists; lets the log shrink the shared file after retention.
  if (!db.memory) db.pragma('auto_vacuum = INCREMENTAL');
  if (!db.memory) db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  return db;
}
