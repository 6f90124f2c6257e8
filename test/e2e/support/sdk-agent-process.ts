import { fileURLToPath } from 'node:url';
import type { Cleanup } from './cleanup.ts';
import { REPO_ROOT } from './repo-root.ts';
import { SpawnedProcess } from './spawned-process.ts';

const AGENT_SCRIPT = fileURLToPath(new URL('./sdk-agent.ts', import.meta.url));

/** Time allowed for an agent process to start (tsx compiles the SDK) and get its first beat accepted. */
const FIRST_BEAT_TIMEOUT_MS = 60_000;

/**
 * Starts `sdk-agent.ts` as a real process (`node --conditions=vigil-source --import tsx`, so the SDK runs from its
 * sources) beating as `agentId` against `url`, and resolves once
 * its first beat was accepted. The process is SIGKILLed by `cleanup` if the test has not ended it.
 */
export async function startSdkAgent(cleanup: Cleanup, options: { url: string; apiKey: string; agentId: string }): Promise<SpawnedProcess> {
  const env = { ...process.env, VIGIL_URL: options.url, VIGIL_API_KEY: options.apiKey, AGENT_ID: options.agentId };
  const agent = new SpawnedProcess(process.execPath, ['--conditions=vigil-source', '--import', 'tsx', AGENT_SCRIPT], { cwd: REPO_ROOT, env });
  cleanup.defer(`agent ${options.agentId} (pid ${agent.pid})`, () => agent.destroy());
  await agent.waitForStdout(/"event":"beat"/, FIRST_BEAT_TIMEOUT_MS);
  return agent;
}
