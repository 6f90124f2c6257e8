// Makes libs/sdk/dist self-contained, so the published package needs nothing of this monorepo at run time: the
// compiled @vigil/contracts (JS and .d.ts) is copied to dist/contracts/ and every `@vigil/contracts` specifier in
// dist is rewritten to a relative path. Run after `tsc -b` (see the package's `build` script). Fails when any other
// `@vigil/*` specifier is left, because an installed package could not resolve it.
import { cpSync, existsSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import process from 'node:process';
import { fileURLToPath } from 'node:url';

const sdk = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(sdk, 'dist');
const contractsDist = join(sdk, '..', 'contracts', 'dist');
const target = join(dist, 'contracts');

if (!existsSync(join(contractsDist, 'index.js'))) {
  process.stderr.write(`inline-contracts: ${contractsDist}/index.js is missing; run tsc -b libs/sdk/tsconfig.build.json first\n`);
  process.exit(1);
}
rmSync(target, { recursive: true, force: true });
cpSync(contractsDist, target, { recursive: true, filter: (src) => !src.endsWith('.tsbuildinfo') });

/** Every emitted file under a directory. */
function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) yield* files(path);
    else if (path.endsWith('.js') || path.endsWith('.d.ts')) yield path;
  }
}

const specifier = /(from\s+|import\s*\(\s*|import\s+)(['"])@vigil\/contracts\2/g;
const leftovers = [];
for (const file of files(dist)) {
  const text = readFileSync(file, 'utf8');
  let rel = relative(dirname(file), join(target, 'index.js')).split(sep).join('/');
  if (!rel.startsWith('.')) rel = `./${rel}`;
  const rewritten = text.replace(specifier, (_m, lead, quote) => `${lead}${quote}${rel}${quote}`);
  if (rewritten !== text) writeFileSync(file, rewritten);
  if (/(['"])@vigil\//.test(rewritten)) leftovers.push(relative(sdk, file));
}
if (leftovers.length > 0) {
  process.stderr.write(`inline-contracts: @vigil/* imports left in ${leftovers.join(', ')}; the published SDK may import only registry packages\n`);
  process.exit(1);
}
