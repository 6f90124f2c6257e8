import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Cleanup } from './cleanup.ts';

/**
 * A fresh directory under the OS temp dir, removed by `cleanup` (after the processes registered later are gone, since
 * cleanup runs newest first): a `--data` dir of its own per test, so tests never share state.
 */
export function tempDataDir(cleanup: Cleanup, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${prefix}-`));
  // Retried: SQLite files may be released a moment after their process is reaped.
  cleanup.defer(`remove ${dir}`, () => rmSync(dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 100 }));
  return dir;
}
