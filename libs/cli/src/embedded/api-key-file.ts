import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The API key of tenant `default` when none is given: generated once, stored (mode 0600) in the data directory and
 * reused on every start, so agents configured with it keep working across restarts.
 */
export function loadOrCreateApiKey(dataDir: string): { key: string; created: boolean; file: string } {
  const file = join(dataDir, 'api-key');
  if (existsSync(file)) {
    const key = readFileSync(file, 'utf8').trim();
    if (key.length >= 8) return { key, created: false, file };
  }
  const key = `vgl_${randomBytes(24).toString('base64url')}`;
  writeFileSync(file, `${key}\n`, { mode: 0o600 });
  return { key, created: true, file };
}
