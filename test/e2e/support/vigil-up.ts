import type { Cleanup } from './cleanup.ts';
import { REPO_ROOT, VIGIL_BIN } from './repo-root.ts';
import { SpawnedProcess } from './spawned-process.ts';

/** Time allowed for `vigil up` to print its URL: tsx compiles the sources on a cold start, slowly on a loaded box. */
const STARTUP_TIMEOUT_MS = 60_000;

/** A running `vigil up` process and what it printed about itself. */
export interface VigilUp {
  readonly process: SpawnedProcess;
  /** Base URL of its HTTP API, as printed on stdout. */
  readonly url: string;
  /** API key of tenant `default`, as printed (given with `--api-key`, or generated). */
  readonly apiKey: string;
}

/** Options of `startVigilUp`. */
export interface VigilUpOptions {
  readonly dataDir: string;
  /** Further flags, e.g. `['--api-key', 'k1-test-key', '--degraded-after', '2s']`. */
  readonly args?: readonly string[];
  /** `VIGIL_*` settings for the process (the parent's own are never passed on). */
  readonly env?: Readonly<Record<string, string>>;
}

/**
 * Starts `node libs/cli/bin/vigil.js up --port 0 --data <dir> --log-level warn ...` and resolves once it printed
 * `Vigil is up at <url>`. The process (and its group) is SIGKILLed by `cleanup`, whatever happens to the test; a test
 * that wants to stop it gracefully signals it itself first.
 */
export async function startVigilUp(cleanup: Cleanup, options: VigilUpOptions): Promise<VigilUp> {
  const args = [VIGIL_BIN, 'up', '--port', '0', '--data', options.dataDir, '--log-level', 'warn', ...(options.args ?? [])];
  // VIGIL_* variables of the developer's shell must not change what the test runs.
  const env = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_'))), ...options.env };
  const child = new SpawnedProcess(process.execPath, args, { cwd: REPO_ROOT, env });
  cleanup.defer(`vigil up (pid ${child.pid})`, () => child.destroy());
  const [, url] = await child.waitForStdout(/^Vigil is up at (http:\/\/\S+) /m, STARTUP_TIMEOUT_MS);
  const [, apiKey] = await child.waitForStdout(/^API key for tenant "default": (\S+)/m, STARTUP_TIMEOUT_MS);
  return { process: child, url: url!, apiKey: apiKey! };
}
