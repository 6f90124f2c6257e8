/**
 * Loads of `bench ingest --wrk`: the same bodies as the autocannon runs (one beat, or a batch, of agents rotating over
 * `agents`), sent by wrk (Debian's `wrk`, a load generator written in C). On a 2-core machine the load generator
 * shares the cores with the server; autocannon, in this Node process, takes a large part of them, wrk much less, so
 * the two together tell the server's speed apart from the load generator's.
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** What one wrk run measured. */
export interface WrkResult {
  readonly requestsPerSec: number;
  readonly beatsPerSec: number;
  readonly p99Ms: number;
  /** Answers other than 2xx/3xx, and socket errors (connect, read, write, timeout). */
  readonly failed: number;
}

/** wrk is not on PATH. */
export class WrkMissingError extends Error {
  readonly code = 'VIGIL_BENCH_WRK_MISSING';
  constructor() {
    super('wrk is not installed (apt-get install wrk), so `bench ingest --wrk` cannot run; run it without --wrk');
  }
}

/** Throws WrkMissingError unless `wrk` can be started (checked before the bench spends minutes on other runs). */
export function assertWrkInstalled(): void {
  const probe = spawnSync('wrk', ['--version'], { stdio: 'ignore' });
  if ((probe.error as NodeJS.ErrnoException | undefined)?.code === 'ENOENT') throw new WrkMissingError();
}

/** Writes the Lua script that builds the bodies (a beat of the next agent, or `batch` of them) into `dir`. */
export function writeWrkScript(dir: string, agents: number, batch: number): string {
  const path = join(dir, `beats-${batch}.lua`);
  writeFileSync(
    path,
    `local agents, batch, nextAgent, seq = ${agents}, ${batch}, 0, 0
local function beat()
  local a = nextAgent
  nextAgent = (nextAgent + 1) % agents
  seq = seq + 1
  return '{"agentId":"bench-agent-' .. a .. '","instanceId":"bench","intervalSeconds":30,"seq":' .. seq .. ',"progress":{"completed":' .. seq .. ',"inFlight":1}}'
end
request = function()
  if batch == 1 then return wrk.format("POST", "/v1/heartbeats", nil, beat()) end
  local parts = {}
  for i = 1, batch do parts[i] = beat() end
  return wrk.format("POST", "/v1/heartbeats", nil, '{"heartbeats":[' .. table.concat(parts, ',') .. ']}')
end
`,
  );
  return path;
}

const UNIT_MS: Readonly<Record<string, number>> = { us: 0.001, ms: 1, s: 1000 };

/** Reads wrk's report (`--latency`); throws if it has no rate, so a changed format fails loudly. */
export function parseWrkReport(text: string, beatsPerRequest: number): WrkResult {
  const rate = /^Requests\/sec:\s+([\d.]+)/m.exec(text);
  if (rate === null) throw new Error(`wrk printed no "Requests/sec" line:\n${text}`);
  const p99 = /^\s+99%\s+([\d.]+)(us|ms|s)\b/m.exec(text);
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(text);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(text);
  const requestsPerSec = Number(rate[1]);
  return {
    requestsPerSec,
    beatsPerSec: requestsPerSec * beatsPerRequest,
    p99Ms: p99 === null ? Number.NaN : Number(p99[1]) * UNIT_MS[p99[2]!]!,
    failed: Number(non2xx?.[1] ?? 0) + (socket === null ? 0 : socket.slice(1).reduce((sum, n) => sum + Number(n), 0)),
  };
}

/** One wrk run (1 thread, `connections` connections) of `seconds` against `url`, with the bodies of `script`. */
export function wrkLoad(url: string, script: string, seconds: number, connections: number, beatsPerRequest: number, headers: Record<string, string>): Promise<WrkResult> {
  const args = ['-t1', `-c${connections}`, `-d${seconds}s`, '--latency', '-s', script, '-H', 'content-type: application/json'];
  for (const [name, value] of Object.entries(headers)) args.push('-H', `${name}: ${value}`);
  args.push(`${url}/v1/heartbeats`);
  return new Promise<WrkResult>((resolve, reject) => {
    const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
    child.once('error', (e: NodeJS.ErrnoException) => reject(e.code === 'ENOENT' ? new WrkMissingError() : e));
    child.once('exit', (code) => {
      if (code !== 0) {
        reject(new Error(`wrk exited with ${code}: ${err || out}`));
        return;
      }
      try {
        resolve(parseWrkReport(out, beatsPerRequest));
      } catch (e) {
        reject(e as Error);
      }
    });
  });
}
