#!/usr/bin/env node
// `vigil` runs straight from the TypeScript sources: tsx is registered first, then the CLI is loaded (dynamically,
// so that the import happens after the registration), so `npx vigil` works after `npm ci` without a build.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const { runFromProcess } = await import('../src/main.ts');
process.exitCode = await runFromProcess();
