/**
 * Builds the dashboard (`npm run build:dashboard`, also run by `npm run build` and on `npm ci` through `prepare`):
 * plain TypeScript and uPlot bundled by esbuild into `dist/dashboard.js` and `dist/dashboard.css`, served by the query
 * service from the process itself (no CDN), under a CSP that allows scripts and styles from 'self' only.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const outdir = join(here, 'dist');

rmSync(outdir, { recursive: true, force: true });
mkdirSync(outdir, { recursive: true });
const result = await build({
  entryPoints: { dashboard: join(here, 'src', 'main.ts') },
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: ['es2022', 'chrome110', 'firefox115', 'safari16'],
  outdir,
  minify: true,
  sourcemap: 'linked',
  legalComments: 'linked',
  metafile: true,
  logLevel: 'warning',
});
const files = Object.keys(result.metafile.outputs).map((f) => f.replace(/^.*\/dist\//, ''));
writeFileSync(join(outdir, 'manifest.json'), `${JSON.stringify({ builtAt: new Date().toISOString(), files }, null, 2)}\n`);
process.stdout.write(`dashboard built: ${files.join(', ')} in ${outdir}\n`);
