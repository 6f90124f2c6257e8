import { EmbeddedLog } from './embedded-log.ts';
import type { EmbeddedLogOptions } from './options.ts';

/**
 * The in-memory log for unit tests: exactly `EmbeddedLog` (the same code, so the same semantics) on a private
 * ':memory:' SQLite database that disappears on `close()`.
 */
export function createInMemoryLog(options: Omit<EmbeddedLogOptions, 'path'> = {}): EmbeddedLog {
  return new EmbeddedLog({ ...options, path: ':memory:' });
}
