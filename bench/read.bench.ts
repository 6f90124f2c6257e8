/**
 * Read-side benchmark: a real embedded platform (`vigil up` in this process, one SQLite file in a temp directory)
 * with 100,000 agents registered through the HTTP API in batches. Measures batched registration throughput, the p99
 * of `GET /v1/fleet/summary`, of the first page of a severity-sorted list and of a label-filtered list, and the worst
 * request latency (and event-loop delay) while the whole fleet turns degraded at once: a tenant-wide threshold of 1 s
 * makes every agent overdue at the next window close, so one window convicts all of them together.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import type { FleetSummary } from '@vigil/contracts';
import { pino } from 'pino';
import { startEmbeddedPlatform } from '../libs/cli/src/embedded/embedded-platform.ts';
import { upConfig } from '../libs/cli/src/embedded/up-config.ts';

const AGENTS = Number(process.env.BENCH_AGENTS ?? 100_000);
const BATCH = 1000;
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 4);
const SAMPLES = Number(process.env.BENCH_SAMPLES ?? 400);
const TEAMS = 20;
const API_KEY = 'bench-read-key-0001';

const agent = new Agent({ keepAlive: true, maxSockets: 16 });

interface Answer {
  readonly status: number;
  readonly body: string;
}

function call(base: URL, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<Answer> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: base.hostname,
        port: base.port,
        method,
        path,
        headers: { authorization: `Bearer ${API_KEY}`, ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }) },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: text }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function must(base: URL, method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<string> {
  const answer = await call(base, method, path, body);
  if (answer.status >= 300) throw new Error(`${method} ${path}: ${answer.status} ${answer.body.slice(0, 300)}`);
  return answer.body;
}

function percentile(sorted: readonly number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** Latencies of `SAMPLES` sequential requests, sorted. */
async function sample(base: URL, path: string): Promise<number[]> {
  for (let i = 0; i < 20; i++) await must(base, 'GET', path); // warm the statement cache and the pages
  const out: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const start = performance.now();
    await must(base, 'GET', path);
    out.push(performance.now() - start);
  }
  return out.sort((a, b) => a - b);
}

const round = (ms: number) => Math.round(ms * 100) / 100;

async function summary(base: URL): Promise<FleetSummary> {
  return JSON.parse(await must(base, 'GET', '/v1/fleet/summary')) as FleetSummary;
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs: number): Promise<number> {
  const start = performance.now();
  while (!(await check())) {
    if (performance.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return performance.now() - start;
}

/** Runs the benchmark and prints its figures, the last line being JSON. */
export async function runReadBench(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-read-'));
  const logger = pino({ level: process.env.BENCH_LOG_LEVEL ?? 'warn' });
  const platform = await startEmbeddedPlatform(upConfig({ port: '0', data: dir, 'api-key': API_KEY }, {}), logger);
  const base = new URL(platform.url);
  try {
    console.log(`read bench: ${AGENTS} agents on ${platform.databaseFile}`);

    // Registration: batches of 1,000 beats, a few requests in flight, as a fleet's gateway would send them.
    const regStart = performance.now();
    let next = 0;
    const workers = Array.from({ length: CONCURRENCY }, async () => {
      for (;;) {
        const from = next;
        next += BATCH;
        if (from >= AGENTS) return;
        const heartbeats = [];
        for (let i = from; i < Math.min(AGENTS, from + BATCH); i++) {
          heartbeats.push({ agentId: `agent-${String(i).padStart(6, '0')}`, intervalSeconds: 30, labels: { team: `team-${i % TEAMS}`, zone: `zone-${i % 3}` } });
        }
        await must(base, 'POST', '/v1/heartbeats', { heartbeats });
      }
    });
    await Promise.all(workers);
    const acceptedMs = performance.now() - regStart;
    const foldMs = await waitFor('the fleet in the read model', async () => (await summary(base)).total >= AGENTS, 600_000);
    const registrationPerSec = Math.round(AGENTS / (acceptedMs / 1000));
    const foldedPerSec = Math.round(AGENTS / ((acceptedMs + foldMs) / 1000));
    console.log(`registration: ${registrationPerSec} beats/s accepted (batches of ${BATCH}, ${CONCURRENCY} in flight); all ${AGENTS} folded into the read model at ${foldedPerSec}/s`);
    await waitFor('every agent healthy', async () => (await summary(base)).healthy >= AGENTS, 600_000);

    const summaryMs = await sample(base, '/v1/fleet/summary');
    const severityMs = await sample(base, '/v1/agents?sort=severity&limit=100');
    const labelMs = await sample(base, '/v1/agents?label=team:team-7&label=zone:zone-1&limit=100');
    const summaryP99 = percentile(summaryMs, 99);
    const severityP99 = percentile(severityMs, 99);
    const labelP99 = percentile(labelMs, 99);
    console.log(`GET /v1/fleet/summary            p50 ${round(percentile(summaryMs, 50))} ms  p99 ${round(summaryP99)} ms`);
    console.log(`GET /v1/agents?sort=severity     p50 ${round(percentile(severityMs, 50))} ms  p99 ${round(severityP99)} ms`);
    console.log(`GET /v1/agents?label=…&label=…   p50 ${round(percentile(labelMs, 50))} ms  p99 ${round(labelP99)} ms`);

    // The whole fleet degrades in one window: requests go on back to back while it is detected and folded.
    const loop = monitorEventLoopDelay({ resolution: 10 });
    let probing = true;
    let worst = 0;
    let probes = 0;
    const paths = ['/v1/fleet/summary', '/v1/agents?sort=severity&limit=100', '/v1/agents?label=team:team-7&limit=100'];
    const prober = (async () => {
      while (probing) {
        const start = performance.now();
        await must(base, 'GET', paths[probes++ % paths.length]!);
        worst = Math.max(worst, performance.now() - start);
      }
    })();
    loop.enable();
    const degradeStart = performance.now();
    await must(base, 'PUT', '/v1/thresholds', { degradedAfter: '1s' });
    const degradeMs = await waitFor('the whole fleet degraded', async () => (await summary(base)).degraded >= AGENTS, 600_000);
    probing = false;
    await prober;
    loop.disable();
    console.log(
      `whole fleet degraded in ${Math.round(performance.now() - degradeStart)} ms (${Math.round(degradeMs)} ms after the threshold): ` +
        `${probes} requests, worst ${round(worst)} ms; event-loop delay max ${round(loop.max / 1e6)} ms, p99 ${round(loop.percentile(99) / 1e6)} ms`,
    );
    console.log(
      JSON.stringify({
        bench: 'read',
        agents: AGENTS,
        summaryP99Ms: round(summaryP99),
        listP99Ms: round(Math.max(severityP99, labelP99)),
        worstRequestMs: round(worst),
        severityListP99Ms: round(severityP99),
        labelListP99Ms: round(labelP99),
        registrationPerSec,
        eventLoopMaxMs: round(loop.max / 1e6),
      }),
    );
  } finally {
    agent.destroy();
    await platform.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
