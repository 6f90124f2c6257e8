import { readFileSync, readdirSync, existsSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// `npm run build` compiles every workspace package to its own dist/ through TypeScript project references; these
// checks keep that graph true as packages are added, so a new package or a new cross-package import cannot be left
// out of the build (which would only show as a failure of `tsc -b` in CI, or worse, as a stale dist/).

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

interface Workspace {
  readonly dir: string;
  readonly name: string;
  readonly exports: Record<string, unknown>;
}

const workspaces: Workspace[] = ['libs', 'services'].flatMap((group) =>
  readdirSync(join(ROOT, group))
    .map((name) => join(group, name))
    .filter((dir) => existsSync(join(ROOT, dir, 'package.json')))
    .map((dir) => {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, 'package.json'), 'utf8')) as { name: string; exports?: Record<string, unknown> };
      return { dir, name: pkg.name, exports: pkg.exports ?? {} };
    })
    .filter((w) => existsSync(join(ROOT, w.dir, 'src'))),
);
const byName = new Map(workspaces.map((w) => [w.name, w]));

function readJson(path: string): { references?: { path: string }[] } {
  return JSON.parse(readFileSync(path, 'utf8')) as { references?: { path: string }[] };
}

function* sources(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* sources(path);
    else if (path.endsWith('.ts') && !path.endsWith('.spec.ts')) yield path;
  }
}

/** The workspace packages a package's (non-test) sources import. */
function importedWorkspaces(w: Workspace): string[] {
  const found = new Set<string>();
  for (const file of sources(join(ROOT, w.dir, 'src'))) {
    for (const m of readFileSync(file, 'utf8').matchAll(/from\s+'(@vigil\/[a-z0-9-]+)/g)) if (m[1] !== w.name) found.add(m[1]!);
  }
  return [...found].sort();
}

describe('the build (tsconfig.build.json project references)', () => {
  it('has every workspace package in the root build', () => {
    const root = readJson(join(ROOT, 'tsconfig.build.json'));
    const referenced = (root.references ?? []).map((r) => relative(ROOT, join(ROOT, r.path)));
    expect(referenced.sort()).toEqual(workspaces.map((w) => join(w.dir, 'tsconfig.build.json')).sort());
  });

  it.each(workspaces.map((w) => [w.name, w] as const))('%s references exactly the packages its sources import', (_name, w) => {
    const config = readJson(join(ROOT, w.dir, 'tsconfig.build.json'));
    const referenced = (config.references ?? []).map((r) => relative(ROOT, join(ROOT, w.dir, r.path)));
    const expected = importedWorkspaces(w).map((name) => {
      const dep = byName.get(name);
      if (dep === undefined) throw new Error(`${w.dir} imports ${name}, which is not a workspace package`);
      return join(dep.dir, 'tsconfig.build.json');
    });
    expect(referenced.sort()).toEqual(expected.sort());
  });

  it.each(workspaces.map((w) => [w.name, w] as const))('%s maps every source entry to its compiled file', (name, w) => {
    for (const [subpath, target] of Object.entries(w.exports)) {
      if (typeof target === 'string') {
        // Only test helpers (never built, never imported by built code) may point at sources alone.
        if (target.endsWith('.ts')) expect(subpath, `${name} exports ${subpath}`).toBe('./testing');
        continue;
      }
      const conditions = target as Record<string, string>;
      const source = conditions['vigil-source'] ?? conditions['default'];
      const compiled = name === '@vigil/sdk' ? conditions['default'] : conditions['vigil-dist'];
      expect(source, `${name} ${subpath}`).toMatch(/^\.\/src\/.*\.ts$/);
      expect(compiled, `${name} ${subpath}`).toBe(source!.replace(/^\.\/src\//, './dist/').replace(/\.ts$/, '.js'));
    }
  });
});
