import type { Cleanup } from '../../e2e/support/cleanup.ts';
import { REPO_ROOT, VIGIL_BIN } from '../../e2e/support/repo-root.ts';
import { SpawnedProcess } from '../../e2e/support/spawned-process.ts';

/** A running `vigil serve <service>` process and the URL it printed. */
export interface ServeProcess {
  readonly process: SpawnedProcess;
  readonly url: string;
}

/**
 * Starts `vigil serve <service>` with exactly the given `VIGIL_*` settings (the developer's own are not passed on) on a
 * free port, and resolves once it printed its ready line. SIGKILLed by `cleanup` whatever happens to the test.
 */
export async function startServe(cleanup: Cleanup, service: string, env: Readonly<Record<string, string>>): Promise<ServeProcess> {
  const base = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_')));
  const child = new SpawnedProcess(process.execPath, [VIGIL_BIN, 'serve', service], { cwd: REPO_ROOT, env: { ...base, VIGIL_PORT: '0', VIGIL_LOG_LEVEL: 'warn', ...env } });
  cleanup.defer(`vigil serve ${service} (pid ${child.pid})`, () => child.destroy());
  try {
    const [, url] = await child.waitForStdout(new RegExp(`vigil ${service} ready on (\\S+)`), 90_000);
    return { process: child, url: url! };
  } catch (err) {
    throw new Error(`vigil serve ${service} did not start: ${String(err)}\n${child.stderr.slice(-3000)}`);
  }
}
