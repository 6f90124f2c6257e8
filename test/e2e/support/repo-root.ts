import { fileURLToPath } from 'node:url';

/** The repository root: the working directory of every spawned process, so `tsx` and `@vigil/*` resolve. */
export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** The `vigil` executable, run with this very `node` (as `npx vigil` would). */
export const VIGIL_BIN = fileURLToPath(new URL('../../../libs/cli/bin/vigil.js', import.meta.url));
