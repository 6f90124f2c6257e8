#!/usr/bin/env node
// `vigil` runs from the TypeScript sources by default: tsx is registered first, then the CLI is loaded (dynamically,
// so that the import happens after the registration), so `npx vigil` works after `npm ci` without a build. The bin
// never picks a build on its own, so a stale dist/ cannot run in place of edited sources.
//
// With VIGIL_DIST=1 (or `node --conditions=vigil-dist`) it runs the JavaScript of `npm run build` instead, which
// must exist (else one line and exit 2):
// - client commands (summary, agents, kill, keys, --help, ...) run the bundled client, dist/bundle/vigil-client.js:
//   one entry and a chunk per command, no resolve hook, nothing of the platform (see scripts/bundle-client.ts);
// - platform commands (up, serve, replay), which the bundle hands back (null), run the compiled build, dist/main.js,
//   whose @vigil/* imports need the `vigil-dist` export condition (every workspace package maps it to its dist/): a
//   resolve hook adds it, so that plain `vigil` needs no node flags. The hook is registered only for those: in Node
//   20 hooks run on a loader thread and every resolve through one is a round trip to it (~100 ms of a client command).
import { existsSync } from 'node:fs';
import { register } from 'node:module';
import process from 'node:process';
import { URL } from 'node:url';

const DIST_CONDITION = 'vigil-dist';
const conditionFlag = process.execArgv.some((arg, i, all) => arg === `--conditions=${DIST_CONDITION}` || arg === `-C=${DIST_CONDITION}` || ((arg === '--conditions' || arg === '-C') && all[i + 1] === DIST_CONDITION));
const fromDist = process.env.VIGIL_DIST === '1' || conditionFlag;

/** Runs the compiled build (every command), with the `vigil-dist` condition. */
async function runCompiled(main) {
  if (!conditionFlag) register('./dist-condition-hook.js', import.meta.url);
  const { runFromProcess } = await import(main.href);
  return runFromProcess();
}

if (fromDist) {
  const main = new URL('../dist/main.js', import.meta.url);
  const client = new URL('../dist/bundle/vigil-client.js', import.meta.url);
  if (!existsSync(main) || !existsSync(client)) {
    process.stderr.write(`vigil: VIGIL_DIST=1 but libs/cli/dist/${existsSync(main) ? 'bundle/vigil-client.js' : 'main.js'} does not exist: run \`npm run build\` first\n`);
    process.exit(2);
  }
  const { runClientFromProcess } = await import(client.href);
  process.exitCode = (await runClientFromProcess()) ?? (await runCompiled(main));
} else {
  const { register: registerTsx } = await import('tsx/esm/api');
  registerTsx();
  register('./source-condition-hook.js', import.meta.url);
  const { runFromProcess } = await import('../src/main.ts');
  process.exitCode = await runFromProcess();
}
