#!/usr/bin/env node
// `vigil` runs from the TypeScript sources by default: tsx is registered first, then the CLI is loaded (dynamically,
// so that the import happens after the registration), so `npx vigil` works after `npm ci` without a build.
// With VIGIL_DIST=1 (or `node --conditions=vigil-dist`) it runs the compiled JavaScript of `npm run build` instead:
// no TypeScript compiler at start-up, so it starts faster. The `vigil-dist` export condition (every workspace package
// maps it to its dist/) is added by a resolve hook, so that plain `vigil` needs no node flags.
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const DIST_CONDITION = 'vigil-dist';
const fromDist = process.env.VIGIL_DIST === '1' || process.execArgv.some((arg, i, all) => arg === `--conditions=${DIST_CONDITION}` || arg === `-C=${DIST_CONDITION}` || ((arg === '--conditions' || arg === '-C') && all[i + 1] === DIST_CONDITION));

if (fromDist) {
  const main = new URL('../dist/main.js', import.meta.url);
  if (!existsSync(main)) {
    process.stderr.write('vigil: VIGIL_DIST=1 but libs/cli/dist/main.js does not exist: run `npm run build` first\n');
    process.exit(2);
  }
  register('./dist-condition-hook.js', import.meta.url);
  const { runFromProcess } = await import(main.href);
  process.exitCode = await runFromProcess();
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  register('./source-condition-hook.js', import.meta.url);
  const { runFromProcess } = await import('../src/main.ts');
  process.exitCode = await runFromProcess();
}
