/**
 * The `vigil` CLI as an operator uses it: the real binary against a real `vigil up`, finding its key in the local
 * data directory or a saved login, printing for people (colours only on request) and for machines, failing in one
 * line with a non-zero exit. Start-up times are printed (not asserted).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Cleanup } from './support/cleanup.ts';
import { REPO_ROOT, VIGIL_BIN } from './support/repo-root.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { runVigilCli, type CliRunOptions } from './support/vigil-cli.ts';
import { startVigilUp, type VigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const SETTLE_MS = 30_000;

let cleanup: Cleanup;
beforeEach(() => {
  cleanup = new Cleanup();
});
afterEach(async () => {
  await cleanup.run();
});

async function beat(up: VigilUp, body: unknown): Promise<void> {
  const res = await fetch(`${up.url}/v1/heartbeats`, {
    method: 'POST',
    headers: { authorization: `Bearer ${up.apiKey}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.status !== 202) throw new Error(`heartbeat answered ${res.status}: ${await res.text()}`);
}

/** Median wall time of `runs` runs of the CLI with these arguments. */
function medianMs(args: readonly string[], env: Record<string, string>, runs = 5): number {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = process.hrtime.bigint();
    try {
      execFileSync(process.execPath, [VIGIL_BIN, ...args], { cwd: REPO_ROOT, env: { ...process.env, ...env }, stdio: 'ignore' });
    } catch {
      // Timing only; the exit code is checked elsewhere.
    }
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[Math.floor(times.length / 2)] ?? 0);
}

describe('vigil CLI against vigil up', () => {
  it('finds the key of a local vigil up, prints the summary line, a table and an agent, and kill then resume at once', async () => {
    const root = tempDataDir(cleanup, 'vigil-cli-e2e');
    const data = join(root, 'data');
    // No --api-key: vigil up generates one into data/api-key, where the CLI run from `root` finds it.
    const up = await startVigilUp(cleanup, { dataDir: data, args: ['--degraded-after', '2s', '--unreachable-after', '4s', '--window', '500ms'] });
    const local: CliRunOptions = { cwd: root, env: { XDG_CONFIG_HOME: join(root, 'no-config') } };
    const cli = (...args: string[]) => runVigilCli([...args, '--url', up.url], local);

    await beat(up, { heartbeats: [{ agentId: 'quiet-1', intervalSeconds: 1, labels: { team: 'search' } }, { agentId: 'busy-1', intervalSeconds: 1, labels: { team: 'billing' } }] });
    const beating = setInterval(() => void beat(up, { agentId: 'busy-1', intervalSeconds: 1, metrics: [{ success: true, latencyMs: 250, costUsd: 0.01 }] }).catch(() => undefined), 300);
    cleanup.defer('stop beating', () => clearInterval(beating));
    await waitUntil('quiet-1 unreachable, busy-1 healthy', async () => (await cli('summary')).stdout, (out) => out === 'Summary: 1 healthy, 1 unreachable\n', { timeoutMs: SETTLE_MS });

    const json = await cli('summary', '--json');
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({ tenant: 'default', total: 2, healthy: 1, unreachable: 1 });

    const table = await cli('agents', '--sort', 'severity');
    expect(table.code).toBe(0);
    const lines = table.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^STATUS\s+AGENT\s+LAST SEEN\s+SINCE\s+SUCCESS\s+P95\s+COST 1H\s+FLAGS$/);
    expect(lines[1]).toMatch(/^unreachable\s+quiet-1\s+\d+s ago\s+\d+s ago\s+-\s+-\s+-\s+undeliverable$/);
    expect(lines[2]).toMatch(/^healthy\s+busy-1\s+(just now|\ds ago)/);
    expect(table.stdout).not.toContain('\u001b[');
    const coloured = await runVigilCli(['agents', '--url', up.url], { ...local, env: { ...local.env, FORCE_COLOR: '1' } });
    expect(coloured.stdout).toContain('\u001b[31munreachable\u001b[39m');

    const filtered = await cli('agents', '--label', 'team:billing', '--json');
    expect((JSON.parse(filtered.stdout) as { agentId: string }[]).map((a) => a.agentId)).toEqual(['busy-1']);
    const searched = await cli('agents', '--search', 'qui', '--status', 'unreachable', '--json');
    expect((JSON.parse(searched.stdout) as { agentId: string }[]).map((a) => a.agentId)).toEqual(['quiet-1']);

    const agent = await cli('agent', 'busy-1', '--since', '30m');
    expect(agent.code).toBe(0);
    expect(agent.stdout).toMatch(/^status\s+healthy \(since/m);
    expect(agent.stdout).toContain('Recent transitions');
    expect(agent.stdout).toMatch(/unknown\s+healthy\s+first heartbeat/);
    expect(agent.stdout).toContain('Metric windows (1m)');

    // A resume right after a kill is accepted: judged in log order, not by the read model's lag.
    const kill = await cli('kill', 'busy-1', '--reason', 'cli e2e');
    expect(kill.code).toBe(0);
    const resume = await cli('resume', 'busy-1');
    expect(resume).toMatchObject({ code: 0, stderr: '' });
    const again = await cli('resume', 'busy-1');
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^vigil resume: VIGIL_ERR_AGENT_NOT_KILLED: [^\n]+\n$/);

    const dashboard = await cli('dashboard', '--no-open');
    expect(dashboard.stdout).toBe(`${up.url}/dashboard#key=${encodeURIComponent(up.apiKey)}\n`);

    // whoami: the key found in data/api-key, then an agent key made with vigil keys, as the server knows them.
    const me = await cli('whoami');
    expect(me).toMatchObject({ code: 0, stderr: '' });
    expect(me.stdout).toMatch(new RegExp(`^admin key "bootstrap admin \\([^"]*api-key\\)" \\(static-[0-9a-f]{12}\\) of tenant default at ${up.url}; key from the local vigil up's data/api-key\n$`));
    const made = await runVigilCli(['keys', 'create', '--role', 'agent', '--name', 'cli e2e agent', '--json', '--url', up.url], { ...local, env: { ...local.env, VIGIL_API_KEY: up.apiKey } });
    expect(made.code).toBe(0);
    const agentKey = JSON.parse(made.stdout) as { id: string; key: string };
    const agentMe = await cli('whoami', '--api-key', agentKey.key, '--json');
    expect(JSON.parse(agentMe.stdout)).toEqual({ keyId: agentKey.id, tenant: 'default', role: 'agent', name: 'cli e2e agent', url: up.url });
    const refused = await cli('whoami', '--api-key', 'not-a-key-of-this-server');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^vigil whoami: VIGIL_ERR_UNAUTHORIZED: [^\n]+\n$/);
  }, 180_000);

  it('vigil login saves URL and key (0600) for later commands; bad input fails in one line with a non-zero exit', async () => {
    const root = tempDataDir(cleanup, 'vigil-cli-login');
    const up = await startVigilUp(cleanup, { dataDir: join(root, 'data'), args: ['--api-key', 'k1-login-test'] });
    const elsewhere = join(root, 'elsewhere');
    mkdirSync(elsewhere);
    const configHome = join(root, 'config');
    const opts: CliRunOptions = { cwd: elsewhere, env: { XDG_CONFIG_HOME: configHome } };

    // Nothing to go on: no flag, no variable, no login, no data/api-key here.
    const none = await runVigilCli(['summary'], opts);
    expect(none.code).toBe(2);
    expect(none.stderr.split('\n')[0]).toContain("run 'vigil login <url>'");

    const refused = await runVigilCli(['login', up.url, '--api-key', 'wrong-key'], opts);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^vigil login: VIGIL_ERR_UNAUTHORIZED: [^\n]+\n$/);
    expect(existsSync(join(configHome, 'vigil', 'config.json'))).toBe(false);

    const login = await runVigilCli(['login', up.url, '--api-key', 'k1-login-test'], opts);
    expect(login).toMatchObject({ code: 0, stdout: `Logged in to ${up.url} (tenant default); saved to ${join(configHome, 'vigil', 'config.json')}\n` });
    const file = join(configHome, 'vigil', 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ url: up.url, apiKey: 'k1-login-test' });
    const summary = await runVigilCli(['summary'], opts);
    expect(summary).toMatchObject({ code: 0, stdout: 'Summary: no agents\n' });

    // Piped key.
    const piped = execFileSync(process.execPath, [VIGIL_BIN, 'login', up.url, '--json'], {
      cwd: elsewhere,
      env: { ...process.env, XDG_CONFIG_HOME: join(root, 'config2') },
      input: 'k1-login-test\n',
    });
    expect(JSON.parse(piped.toString())).toMatchObject({ url: up.url, tenant: 'default' });

    const badSort = await runVigilCli(['agents', '--sort', 'name'], opts);
    expect(badSort.code).toBe(2);
    expect(badSort.stderr.split('\n')[0]).toBe("vigil agents: --sort must be one of severity, id, lastSeen, got 'name'");
    const unknownAgent = await runVigilCli(['agent', 'ghost'], opts);
    expect(unknownAgent.code).toBe(1);
    expect(unknownAgent.stderr).toMatch(/^vigil agent: VIGIL_ERR_AGENT_NOT_FOUND: [^\n]+ \(field: id\)\n$/);
    const down = await runVigilCli(['summary', '--url', 'http://127.0.0.1:1', '--api-key', 'k'], opts);
    expect(down.code).toBe(1);
    expect(down.stderr).toMatch(/^vigil summary: VIGIL_ERR_NETWORK: [^\n]+\n$/);
    const brokenConfig = await runVigilCli(['summary'], { cwd: elsewhere, env: { VIGIL_CONFIG: join(root, 'data', 'vigil.db') } });
    expect(brokenConfig.code).toBe(2);
    expect(brokenConfig.stderr.split('\n')[0]).toContain('is not JSON');

    for (const command of ['login', 'agents', 'agent', 'summary', 'dashboard', 'whoami']) {
      const help = await runVigilCli([command, '--help'], opts);
      expect(help.code).toBe(0);
      expect(help.stdout).toMatch(new RegExp(`^Usage: vigil ${command}`));
    }

    // Start-up cost of a client command: from the sources (tsx), and from the built JavaScript when `npm run build` ran.
    const env = { XDG_CONFIG_HOME: configHome };
    const times = [`source: --help ${medianMs(['--help'], env)} ms, summary ${medianMs(['summary'], env)} ms`];
    if (existsSync(join(REPO_ROOT, 'libs', 'cli', 'dist', 'main.js'))) {
      const dist = { ...env, VIGIL_DIST: '1' };
      times.push(`built JS (VIGIL_DIST=1): --help ${medianMs(['--help'], dist)} ms, summary ${medianMs(['summary'], dist)} ms`);
    } else times.push('built JS: not measured (run npm run build first)');
    console.info(`[test/e2e] vigil start-up, median of 5 runs against a local vigil up: ${times.join('; ')}`);
  }, 180_000);
});
