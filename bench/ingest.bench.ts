/**
 * Ingest benchmark: heartbeats per second through `POST /v1/heartbeats` of a real platform, next to a bare fastify
 * route that parses the same JSON body and answers 202, measured in the same run with the same load generator
 * (autocannon, in this process; every server is a child process of its own, so they do not share a thread):
 *
 *  - single: one beat per request, agents rotating over BENCH_INGEST_AGENTS (1,000);
 *  - batched: BENCH_INGEST_BATCH (100) beats per request (`{"heartbeats": [...]}`), same agents.
 *
 * The platform is a real `vigil up` (embedded: log, detector, projector, read model on one SQLite file, every beat
 * acknowledged only once it is durably in the log). With `--kafka`, the same two loads also run against
 * `vigil serve ingest` on the Kafka broker at KAFKA_BROKERS (127.0.0.1:9092), on topics of their own (deleted after).
 * The bare route and each Vigil server are measured in BENCH_INGEST_ROUNDS (3) interleaved rounds per shape (see
 * `compare`), and the median round is reported, with every round's ratio (`ratios`, `batchedRatios`).
 * Prints one line per round and per reported run, a JSON line for Kafka when asked, and as its last line
 * `{"bench":"ingest","eventsPerSec":…,"baselinePerSec":…,"ratio":…,"batchedEventsPerSec":…,…}` (embedded). Each
 * Vigil run also says what a beat cost each thread of the server, in busy µs (its `vigil_thread_busy_seconds_total`
 * before and after the run: `http` and `writer` for `vigil up`, `main` for `vigil serve ingest`), so a change in
 * throughput can be traced to the thread that caused it, and how many records of agent-events its detector and
 * projector had not yet committed when the load stopped (`unreadAtEnd`, from `vigil_consumer_lag_records`): a rate
 * is only worth reporting if the platform folds beats as fast as it acknowledges them (in `vigil up`, appends wait for
 * the consumers once they are 8,192 records behind, so this stays below that).
 *
 * With `--wrk`, the two loads are sent to the bare route and to `vigil up` once more by wrk (wrk-load.ts says why),
 * in interleaved rounds as above, reported as `wrk` in the embedded JSON line (null without `--wrk`).
 *
 * Env: BENCH_INGEST_SECONDS (10, per run), BENCH_INGEST_WARMUP_SECONDS (2, per server and shape, not counted),
 * BENCH_INGEST_CONNECTIONS (16), BENCH_INGEST_AGENTS (1000), BENCH_INGEST_BATCH (100), BENCH_INGEST_ROUNDS (3),
 * KAFKA_BROKERS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import { Kafka, logLevel } from 'kafkajs';
import { assertWrkInstalled, writeWrkScript, wrkLoad, type WrkResult } from './wrk-load.ts';

const env = (name: string, fallback: number): number => Number(process.env[name] ?? fallback);
const SECONDS = env('BENCH_INGEST_SECONDS', 10);
const WARMUP_SECONDS = env('BENCH_INGEST_WARMUP_SECONDS', 2);
const CONNECTIONS = env('BENCH_INGEST_CONNECTIONS', 16);
const AGENTS = env('BENCH_INGEST_AGENTS', 1000);
const BATCH = env('BENCH_INGEST_BATCH', 100);
const ROUNDS = Math.max(1, env('BENCH_INGEST_ROUNDS', 3));
const BROKERS = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter((b) => b.length > 0);
const REPO_ROOT = fileURLToPath(new URL('../', import.meta.url));
const VIGIL_BIN = join(REPO_ROOT, 'libs/cli/bin/vigil.js');
const BASELINE_SERVER = fileURLToPath(new URL('./ingest-baseline-server.ts', import.meta.url));
const API_KEY = `bench-${randomUUID()}`;
/** A server that has not printed its URL by then is reported as failed rather than waited for. */
const STARTUP_TIMEOUT_MS = 90_000;

/** A server under test, started as a child process. */
interface Server {
  readonly url: string;
  stop(): Promise<void>;
}

/** What one autocannon run measured: beats acknowledged (2xx) per second, and latency of each request. */
interface RunResult {
  readonly requestsPerSec: number;
  readonly beatsPerSec: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly non2xx: number;
  readonly errors: number;
  /** Busy time per beat of each of the server's threads (µs, from `vigil_thread_busy_seconds_total`); null without it. */
  readonly busyUsPerBeat: Readonly<Record<string, number>> | null;
  /**
   * Records of agent-events the server's detector or projector had not committed when the load stopped (null: it
   * runs none): small when the rate measured is one the platform folds as fast as it acknowledges.
   */
  readonly unreadAtEnd: number | null;
}

/** The server's /metrics text, or null if it has none (the bare route). */
async function metricsText(url: string): Promise<string | null> {
  const response = await fetch(`${url}/metrics`).catch(() => null);
  if (response === null || !response.ok) return null;
  return response.text();
}

/** `vigil_thread_busy_seconds_total` per thread, or null if the server has no such metric. */
function threadBusySeconds(metrics: string | null): Map<string, number> | null {
  if (metrics === null) return null;
  const busy = new Map<string, number>();
  for (const match of metrics.matchAll(/^vigil_thread_busy_seconds_total\{thread="([^"]+)"\} (\S+)$/gm)) busy.set(match[1]!, Number(match[2]));
  return busy.size === 0 ? null : busy;
}

/** The most records of agent-events a consumer group of the server has not committed (`vigil_consumer_lag_records`); null without consumers. */
function agentEventsUnread(metrics: string | null): number | null {
  if (metrics === null) return null;
  let most: number | null = null;
  for (const match of metrics.matchAll(/^vigil_consumer_lag_records\{group="[^"]+",topic="[^"]*agent-events"\} (\S+)$/gm)) most = Math.max(most ?? 0, Number(match[1]));
  return most;
}

/** Starts `node <args>` and resolves with the URL it prints (first group of `ready`); the child dies with the bench. */
function startServer(name: string, args: readonly string[], extraEnv: Record<string, string>, ready: RegExp): Promise<Server> {
  const childEnv = { ...Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('VIGIL_'))), ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, args, { cwd: REPO_ROOT, env: childEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  };
  process.once('exit', () => child.kill('SIGKILL'));
  return new Promise<Server>((resolve, reject) => {
    const timer = setTimeout(() => {
      void stop();
      reject(new Error(`${name} did not start within ${STARTUP_TIMEOUT_MS} ms; stderr: ${stderr.slice(-2000)}`));
    }, STARTUP_TIMEOUT_MS);
    child.stdout!.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = ready.exec(stdout);
      if (match) {
        clearTimeout(timer);
        resolve({ url: match[1]!, stop });
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8000)));
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (${code ?? signal}) before it was ready; stderr: ${stderr.slice(-2000)}`));
    });
  });
}

/** Bodies of the two loads: one beat of the next agent, or a batch of the next `BATCH` agents; `seq` keeps rising. */
function bodies(): { single: () => string; batch: () => string } {
  let next = 0;
  let seq = 0;
  const beat = (): string => {
    const agent = next;
    next = (next + 1) % AGENTS;
    return `{"agentId":"bench-agent-${agent}","instanceId":"bench","intervalSeconds":30,"seq":${seq++},"progress":{"completed":${seq},"inFlight":1}}`;
  };
  return {
    single: beat,
    batch: () => `{"heartbeats":[${Array.from({ length: BATCH }, beat).join(',')}]}`,
  };
}

/** One autocannon run of `seconds` against `url`, `beatsPerRequest` beats in each request. */
async function load(url: string, seconds: number, beatsPerRequest: number, headers: Record<string, string>): Promise<RunResult> {
  const make = bodies();
  const body = beatsPerRequest === 1 ? make.single : make.batch;
  const busyBefore = threadBusySeconds(await metricsText(url));
  const result = await autocannon({
    url: `${url}/v1/heartbeats`,
    connections: CONNECTIONS,
    duration: seconds,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    requests: [{ setupRequest: (request) => ({ ...request, body: body() }) }],
  });
  const ok = result['2xx'];
  const after = await metricsText(url);
  const busyAfter = busyBefore === null ? null : threadBusySeconds(after);
  const beats = ok * beatsPerRequest;
  const busyUsPerBeat =
    busyBefore === null || busyAfter === null || beats === 0
      ? null
      : Object.fromEntries([...busyAfter].map(([thread, s]) => [thread, Number(((1e6 * (s - (busyBefore.get(thread) ?? 0))) / beats).toFixed(1))]));
  return {
    busyUsPerBeat,
    unreadAtEnd: agentEventsUnread(after),
    requestsPerSec: ok / result.duration,
    beatsPerSec: (ok * beatsPerRequest) / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  };
}

/** The measured runs of one server against the bare route: the median round of each shape, and every round's ratio. */
interface Compared {
  readonly single: RunResult;
  readonly batched: RunResult;
  readonly baseline: { readonly single: RunResult; readonly batched: RunResult };
  readonly singleRatios: readonly number[];
  readonly batchedRatios: readonly number[];
}

/** What one shape of load is called in the bench's lines. */
const shapeName = (beatsPerRequest: number): string => (beatsPerRequest === 1 ? 'single' : `batches of ${beatsPerRequest}`);

/**
 * ROUNDS rounds of `run`, each against the bare route and then at once against the server under test (a pair seconds
 * apart sees the same machine), printing each round's ratio; resolves with the round of the median ratio, whole, and
 * every round's ratio. `afterRate` and `suffix` add to a round's line what a load generator reports beyond the rate.
 */
async function interleavedRounds<R extends { readonly beatsPerSec: number }>(
  label: string,
  run: (target: 'bare' | 'vigil') => Promise<R>,
  afterRate: (vigil: R) => string = () => '',
  suffix: (vigil: R) => string = () => '',
): Promise<{ pair: { readonly vigil: R; readonly bare: R }; ratios: number[] }> {
  const pairs: { vigil: R; bare: R; ratio: number }[] = [];
  for (let r = 1; r <= ROUNDS; r++) {
    const b = await run('bare');
    const v = await run('vigil');
    const ratio = v.beatsPerSec / b.beatsPerSec;
    pairs.push({ vigil: v, bare: b, ratio });
    console.log(`  ${label}, round ${r}/${ROUNDS}: ${fmt(v.beatsPerSec)} beats/s${afterRate(v)} against bare ${fmt(b.beatsPerSec)}/s, ratio ${ratio.toFixed(3)}${suffix(v)}`);
  }
  const median = [...pairs].sort((x, y) => x.ratio - y.ratio)[Math.floor((pairs.length - 1) / 2)]!;
  return { pair: { vigil: median.vigil, bare: median.bare }, ratios: pairs.map((p) => Number(p.ratio.toFixed(3))) };
}

/**
 * Warm-up of both servers (JIT, caches, SQLite pages), then ROUNDS rounds per shape, each a run of the bare route
 * followed at once by a run of `server`: a pair measured seconds apart sees the same machine, so its ratio holds even
 * when a neighbour's load on a shared VM comes and goes (consecutive single runs have differed by 2× here). The
 * round reported is the one with the median ratio, whole (both rates, latencies and busy time of that pair).
 */
async function compare(label: string, server: Server, headers: Record<string, string>, bare: Server): Promise<Compared> {
  if (WARMUP_SECONDS > 0) {
    for (const target of [bare, server]) {
      await load(target.url, WARMUP_SECONDS, 1, target === server ? headers : {});
      await load(target.url, WARMUP_SECONDS, BATCH, target === server ? headers : {});
    }
  }
  const shape = (beatsPerRequest: number) =>
    interleavedRounds(`${label} ${shapeName(beatsPerRequest)}`, (target) =>
      target === 'bare' ? load(bare.url, SECONDS, beatsPerRequest, {}) : load(server.url, SECONDS, beatsPerRequest, headers),
    );
  const single = await shape(1);
  const batched = await shape(BATCH);
  return {
    single: single.pair.vigil,
    batched: batched.pair.vigil,
    baseline: { single: single.pair.bare, batched: batched.pair.bare },
    singleRatios: single.ratios,
    batchedRatios: batched.ratios,
  };
}

const round = (n: number): number => Math.round(n);
const fmt = (n: number): string => round(n).toLocaleString('en-US');

function describe(label: string, r: RunResult, baseline: RunResult | null): string {
  const vs = baseline === null ? '' : `  (bare fastify ${fmt(baseline.beatsPerSec)}/s, ratio ${(r.beatsPerSec / baseline.beatsPerSec).toFixed(3)})`;
  const bad = r.non2xx + r.errors > 0 ? `  [${r.non2xx} non-2xx, ${r.errors} errors]` : '';
  const busy = r.busyUsPerBeat === null ? '' : `; busy per beat: ${Object.entries(r.busyUsPerBeat).map(([thread, us]) => `${thread} ${us} µs`).join(', ')}`;
  const unread = r.unreadAtEnd === null ? '' : `; ${fmt(r.unreadAtEnd)} records unread by the consumers at the end`;
  return `ingest ${label}: ${fmt(r.beatsPerSec)} beats/s in ${fmt(r.requestsPerSec)} req/s, p50 ${r.p50Ms} ms, p99 ${r.p99Ms} ms${busy}${unread}${vs}${bad}`;
}

/** The `--wrk` runs: the median round of each shape (as `compare` picks it), and every round's ratio. */
interface WrkCompared {
  readonly single: { readonly vigil: WrkResult; readonly bare: WrkResult };
  readonly batched: { readonly vigil: WrkResult; readonly bare: WrkResult };
  readonly singleRatios: readonly number[];
  readonly batchedRatios: readonly number[];
  readonly failed: number;
}

/** ROUNDS interleaved rounds of wrk per shape against the bare route and `server` (both warm from the autocannon runs). */
async function compareWithWrk(server: Server, headers: Record<string, string>, bare: Server): Promise<WrkCompared> {
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-wrk-'));
  let failed = 0;
  const shape = (beatsPerRequest: number) => {
    const script = writeWrkScript(dir, AGENTS, beatsPerRequest);
    return interleavedRounds(
      `embedded ${shapeName(beatsPerRequest)} (wrk)`,
      async (target) => {
        const r = await wrkLoad(target === 'bare' ? bare.url : server.url, script, SECONDS, CONNECTIONS, beatsPerRequest, target === 'bare' ? {} : headers);
        if (target === 'vigil') failed += r.failed;
        return r;
      },
      (v) => `, p99 ${v.p99Ms} ms,`,
      (v) => (v.failed > 0 ? ` [${v.failed} failed]` : ''),
    );
  };
  try {
    const single = await shape(1);
    const batched = await shape(BATCH);
    return { single: single.pair, batched: batched.pair, singleRatios: single.ratios, batchedRatios: batched.ratios, failed };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function wrkSummary(w: WrkCompared | null): Record<string, number | readonly number[]> | null {
  if (w === null) return null;
  return {
    eventsPerSec: round(w.single.vigil.beatsPerSec),
    baselinePerSec: round(w.single.bare.beatsPerSec),
    ratio: Number((w.single.vigil.beatsPerSec / w.single.bare.beatsPerSec).toFixed(3)),
    batchedEventsPerSec: round(w.batched.vigil.beatsPerSec),
    baselineBatchedPerSec: round(w.batched.bare.beatsPerSec),
    ratios: w.singleRatios,
    batchedRatios: w.batchedRatios,
    p99Ms: w.single.vigil.p99Ms,
    batchedP99Ms: w.batched.vigil.p99Ms,
    failed: w.failed,
  };
}

function summary(mode: string, vigil: Compared, wrk: WrkCompared | null = null): string {
  const baseline = vigil.baseline;
  return JSON.stringify({
    bench: 'ingest',
    mode,
    eventsPerSec: round(vigil.single.beatsPerSec),
    baselinePerSec: round(baseline.single.beatsPerSec),
    ratio: Number((vigil.single.beatsPerSec / baseline.single.beatsPerSec).toFixed(3)),
    batchedEventsPerSec: round(vigil.batched.beatsPerSec),
    baselineBatchedPerSec: round(baseline.batched.beatsPerSec),
    ratios: vigil.singleRatios,
    batchedRatios: vigil.batchedRatios,
    p99Ms: vigil.single.p99Ms,
    batchedP99Ms: vigil.batched.p99Ms,
    baselineP99Ms: baseline.single.p99Ms,
    busyUsPerBeat: vigil.single.busyUsPerBeat,
    batchedBusyUsPerBeat: vigil.batched.busyUsPerBeat,
    unreadAtEnd: vigil.single.unreadAtEnd,
    batchedUnreadAtEnd: vigil.batched.unreadAtEnd,
    connections: CONNECTIONS,
    agents: AGENTS,
    batch: BATCH,
    seconds: SECONDS,
    rounds: ROUNDS,
    failed: vigil.single.non2xx + vigil.single.errors + vigil.batched.non2xx + vigil.batched.errors,
    ...(mode === 'embedded' ? { wrk: wrkSummary(wrk) } : {}),
  });
}

/** `vigil serve ingest` on the Kafka broker, on topics of its own, which are deleted afterwards. */
async function measureKafka(auth: Record<string, string>, bare: Server): Promise<string> {
  const prefix = `vigil-bench-${randomUUID()}.`;
  const dir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-kafka-'));
  const server = await startServer(
    'vigil serve ingest',
    [VIGIL_BIN, 'serve', 'ingest'],
    {
      VIGIL_LOG: `kafka:${BROKERS.join(',')}`,
      VIGIL_READ_MODEL: `sqlite:${join(dir, 'read-model.db')}`,
      VIGIL_API_KEYS: `${API_KEY}=default`,
      VIGIL_TOPIC_PREFIX: prefix,
      VIGIL_PORT: '0',
      VIGIL_LOG_LEVEL: 'warn',
    },
    /vigil ingest ready on (http:\/\/\S+)/,
  );
  try {
    const kafka = await compare('kafka', server, auth, bare);
    console.log(describe('kafka single', kafka.single, kafka.baseline.single));
    console.log(describe(`kafka batches of ${BATCH}`, kafka.batched, kafka.baseline.batched));
    return summary('kafka', kafka);
  } finally {
    await server.stop();
    rmSync(dir, { recursive: true, force: true });
    const admin = new Kafka({ clientId: 'vigil-bench-cleanup', brokers: BROKERS, logLevel: logLevel.NOTHING }).admin();
    await admin.connect();
    const topics = (await admin.listTopics()).filter((t) => t.startsWith(prefix));
    if (topics.length > 0) await admin.deleteTopics({ topics });
    await admin.disconnect();
  }
}

/** Runs the ingest benchmark (see the file's header). */
export async function runIngestBench(): Promise<void> {
  const withKafka = process.argv.includes('--kafka');
  const withWrk = process.argv.includes('--wrk');
  if (withWrk) assertWrkInstalled();
  console.log(`bench ingest: ${CONNECTIONS} connections, ${AGENTS} agents, ${SECONDS} s per run (+${WARMUP_SECONDS} s warm-up), batches of ${BATCH}`);
  const auth = { authorization: `Bearer ${API_KEY}` };

  // Both servers run throughout; each waits, idle, while the other is measured.
  const bare = await startServer('baseline', ['--import', 'tsx', BASELINE_SERVER], {}, /baseline ready on (http:\/\/\S+)/);
  const dataDir = mkdtempSync(join(tmpdir(), 'vigil-bench-ingest-'));
  try {
    let embedded: Compared;
    let wrk: WrkCompared | null = null;
    const up = await startServer(
      'vigil up',
      [VIGIL_BIN, 'up', '--port', '0', '--data', dataDir, '--api-key', API_KEY, '--log-level', 'warn'],
      {},
      /Vigil is up at (http:\/\/\S+) /,
    );
    try {
      embedded = await compare('embedded', up, auth, bare);
      if (withWrk) wrk = await compareWithWrk(up, auth, bare);
    } finally {
      await up.stop();
    }
    console.log(describe('bare fastify single', embedded.baseline.single, null));
    console.log(describe(`bare fastify batches of ${BATCH}`, embedded.baseline.batched, null));
    console.log(describe('embedded single', embedded.single, embedded.baseline.single));
    console.log(describe(`embedded batches of ${BATCH}`, embedded.batched, embedded.baseline.batched));
    if (wrk !== null) {
      for (const [what, pair] of [['single', wrk.single], [`batches of ${BATCH}`, wrk.batched]] as const) {
        console.log(`ingest embedded ${what} (wrk): ${fmt(pair.vigil.beatsPerSec)} beats/s, p99 ${pair.vigil.p99Ms} ms  (bare fastify ${fmt(pair.bare.beatsPerSec)}/s, ratio ${(pair.vigil.beatsPerSec / pair.bare.beatsPerSec).toFixed(3)})`);
      }
    }
    if (withKafka) console.log(await measureKafka(auth, bare));
    console.log(summary('embedded', embedded, wrk));
  } finally {
    await bare.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}
