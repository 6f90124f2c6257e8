/**
 * Bundles the `vigil` client (`npm run build:cli`, part of `npm run build`): `src/client-main.ts` and every command
 * that only calls the API, with the SDK, contracts and zod, into ESM files under `libs/cli/dist/bundle/` — one entry
 * plus a chunk per command, loaded when that command runs. `VIGIL_DIST=1 vigil <client command>` runs it: no resolve
 * hook (the compiled build needs one for the `vigil-dist` condition; in Node 20 every resolve through it is a round
 * trip to the loader thread) and a handful of files instead of ~150 modules. Built from the TypeScript sources, like
 * tsx runs them. Fails if anything of the platform (fastify, SQLite, kafkajs, pino, the services) got in.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const cliRoot = join(dirname(fileURLToPath(import.meta.url)), '..');
const repoRoot = join(cliRoot, '..', '..');
const outdir = join(cliRoot, 'dist', 'bundle');

/** What a client command must never load: the platform's packages and workspaces. */
const FORBIDDEN = [
  /node_modules\/(fastify|@fastify\/[^/]+|better-sqlite3|kafkajs|pino|@eventstore\/[^/]+|prom-client)\//,
  /^(services\/|libs\/(core|log|store|http|webhooks)\/)/,
  /^libs\/cli\/src\/(embedded|serve|platform|demo)\//,
];

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  absWorkingDir: repoRoot,
  entryPoints: { 'vigil-client': join(cliRoot, 'src', 'client-main.ts') },
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // @vigil/* resolve to their sources (their default export condition; the SDK's is `vigil-source`).
  conditions: ['vigil-source'],
  // ESM first: zod and luxon ship ESM, which esbuild can trim; `main` (CJS) is the fallback.
  mainFields: ['module', 'main'],
  outdir,
  chunkNames: 'chunks/[name]-[hash]',
  // Whitespace and syntax only: stack traces of an unexpected error keep their function names. (Mangling names, or
  // leaving zod's 40 locales out, shrinks the files by up to half but saved nothing measurable: V8 parses unused
  // functions lazily. What a client command pays for is evaluating zod and the contracts, ~30 ms.)
  minifyWhitespace: true,
  minifySyntax: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  // A CommonJS dependency that calls require() (of a node: builtin) gets Node's, as in the sources.
  banner: { js: "import { createRequire as __vigilCreateRequire } from 'node:module'; const require = __vigilCreateRequire(import.meta.url);" },
  metafile: true,
  logLevel: 'warning',
});

const inputs = Object.keys(result.metafile.inputs).map((f) => relative(repoRoot, join(repoRoot, f)));
const forbidden = inputs.filter((f) => FORBIDDEN.some((re) => re.test(f)));
if (forbidden.length > 0) {
  rmSync(outdir, { recursive: true, force: true });
  process.stderr.write(`bundle-client: the client bundle would load the platform (fix the import, or mark the command "platform"):\n  ${forbidden.join('\n  ')}\n`);
  process.exit(1);
}
const outputs = Object.entries(result.metafile.outputs).filter(([f]) => f.endsWith('.js'));
const bytes = outputs.reduce((n, [, o]) => n + o.bytes, 0);
writeFileSync(
  join(outdir, 'manifest.json'),
  `${JSON.stringify({ builtAt: new Date().toISOString(), entry: 'vigil-client.js', inputs: inputs.length, files: outputs.map(([f]) => relative(outdir, join(repoRoot, f))), bytes }, null, 2)}\n`,
);
process.stdout.write(`client bundle built: ${outputs.length} files, ${Math.round(bytes / 1024)} KiB from ${inputs.length} modules in ${relative(repoRoot, outdir)}\n`);
