import { readFileSync } from 'node:fs';

/**
 * The version of @vigil/cli, from its package.json: found by walking up from this module, because the module sits at
 * a different depth in the sources (`src/`), the compiled build (`dist/`) and the bundled client (`dist/bundle/`).
 */
export function cliVersion(): string {
  for (const up of ['../', '../../', '../../../']) {
    try {
      const pkg: unknown = JSON.parse(readFileSync(new URL(`${up}package.json`, import.meta.url), 'utf8'));
      if (typeof pkg === 'object' && pkg !== null && 'name' in pkg && pkg.name === '@vigil/cli' && 'version' in pkg) return String(pkg.version);
    } catch {
      // Not at this depth: try the next one up.
    }
  }
  return 'unknown';
}
