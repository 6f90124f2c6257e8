import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const path = join(dir, name);
    if (statSync(path).isDirectory()) sources(path, out);
    else if (name.endsWith('.ts') && !name.endsWith('.spec.ts')) out.push(path);
  }
  return out;
}

describe('error codes', () => {
  it('documents every VIGIL_ERR_* code the product defines in the README error table', () => {
    const defined = new Set<string>();
    for (const dir of ['libs', 'services']) {
      for (const file of sources(join(root, dir))) {
        for (const m of readFileSync(file, 'utf8').matchAll(/['"`](VIGIL_ERR_[A-Z_]+)['"`]/g)) defined.add(m[1]!);
      }
    }
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const documented = new Set([...readme.matchAll(/^\| `(VIGIL_ERR_[A-Z_]+)` \|/gm)].map((m) => m[1]!));
    expect(defined.size).toBeGreaterThan(20);
    expect([...defined].filter((c) => !documented.has(c)).sort()).toEqual([]);
    expect([...documented].filter((c) => !defined.has(c)).sort()).toEqual([]);
  });
});
