import { spawn, type ChildProcess } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TransitionView } from '@vigil/contracts';
import { VigilClient } from '@vigil/sdk';
import type { ReadModel } from '@vigil/store';
import type { CliIo } from '../cli-command.ts';

/** The demo's cast: what happens to each agent, and when (seconds after start). */
export const DEMO_SCRIPT = [
  { agentId: 'steady-agent', fate: 'keeps beating: healthy throughout', at: null },
  { agentId: 'frozen-agent', fate: 'frozen with SIGSTOP: degraded, then unreachable', at: 6 },
  { agentId: 'crashing-agent', fate: 'crashes (SIGKILL): degraded, then unreachable', at: 10 },
  { agentId: 'rogue-agent', fate: 'killed by an operator through the API: killed', at: 14 },
] as const;

/** A running demo; `stop()` ends every agent process. */
export interface DemoRun {
  stop(): Promise<void>;
}

/**
 * Starts the demo agents as real processes against a running platform, plays the script, and prints every
 * transition of the tenant as it happens, so a newcomer sees each status within a minute.
 */
export function startDemo(options: { url: string; apiKey: string; readModel: ReadModel; io: CliIo }): DemoRun {
  const { url, apiKey, readModel, io } = options;
  // Run from the sources (tsx) or from the build (dist/, VIGIL_DIST=1): the agent script is whichever sits beside us.
  const fromSource = import.meta.url.endsWith('.ts');
  const agentScript = join(dirname(fileURLToPath(import.meta.url)), fromSource ? 'demo-agent.ts' : 'demo-agent.js');
  const nodeArgs = fromSource ? ['--conditions=vigil-source', '--import', 'tsx', agentScript] : ['--conditions=vigil-dist', agentScript];
  const children = new Map<string, ChildProcess>();
  for (const { agentId } of DEMO_SCRIPT) {
    const child = spawn(process.execPath, nodeArgs, {
      env: { ...process.env, VIGIL_URL: url, VIGIL_API_KEY: apiKey, DEMO_AGENT_ID: agentId, DEMO_INTERVAL_SECONDS: '1' },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    children.set(agentId, child);
  }
  const timers: NodeJS.Timeout[] = [];
  const say = (text: string): void => io.stdout(`[demo] ${text}\n`);
  const schedule = (seconds: number, fn: () => void | Promise<void>): void => {
    timers.push(setTimeout(() => void Promise.resolve(fn()).catch((err: unknown) => say(`step failed: ${String(err)}`)), seconds * 1000));
  };
  schedule(6, () => {
    say('freezing frozen-agent (SIGSTOP): its process lives, its heartbeats stop');
    children.get('frozen-agent')?.kill('SIGSTOP');
  });
  schedule(10, () => {
    say('crashing crashing-agent (SIGKILL): no goodbye');
    children.get('crashing-agent')?.kill('SIGKILL');
  });
  schedule(14, async () => {
    say('operator kills rogue-agent: POST /v1/agents/rogue-agent/kill');
    await new VigilClient({ apiKey, url }).kill('rogue-agent', 'demo: spending too much', { by: 'demo-operator' });
  });

  // Print the tenant's new transitions as they arrive (oldest first).
  const seen = new Set<string>();
  let first = true;
  const poll = setInterval(() => {
    void readModel.listTransitions('default', { limit: 100 }).then((page) => {
      const fresh = page.items.filter((t) => !seen.has(t.id)).reverse();
      for (const t of fresh) {
        seen.add(t.id);
        if (!first) say(describe(t));
      }
      first = false;
    });
  }, 500);

  return {
    async stop() {
      clearInterval(poll);
      for (const t of timers) clearTimeout(t);
      await Promise.all(
        [...children.values()].map(
          (child) =>
            new Promise<void>((resolve) => {
              if (child.exitCode !== null || child.signalCode !== null) return resolve();
              child.once('exit', () => resolve());
              child.kill('SIGCONT');
              child.kill('SIGTERM');
              setTimeout(() => child.kill('SIGKILL'), 3000).unref();
            }),
        ),
      );
    },
  };
}

function describe(t: TransitionView): string {
  return `${t.at.slice(11, 23)}  ${t.agentId.padEnd(15)} ${t.from} -> ${t.to}  (${t.reason})`;
}
