import { pino } from 'pino';
import { parseFlags } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { DEMO_SCRIPT, startDemo, type DemoRun } from '../demo/demo-runner.ts';
import { startEmbeddedPlatform } from '../embedded/embedded-platform.ts';
import { upConfig } from '../embedded/up-config.ts';
import { waitForStop } from '../platform/wait-for-stop.ts';

const options = {
  port: { type: 'string' },
  host: { type: 'string' },
  data: { type: 'string' },
  'api-key': { type: 'string' },
  'degraded-after': { type: 'string' },
  'forget-after': { type: 'string' },
  'keep-transitions': { type: 'string' },
  'keep-metric-minutes': { type: 'string' },
  'keep-metric-hours': { type: 'string' },
  'unreachable-after': { type: 'string' },
  'stalled-after': { type: 'string' },
  window: { type: 'string' },
  partitions: { type: 'string' },
  'topic-prefix': { type: 'string' },
  'log-level': { type: 'string' },
  demo: { type: 'boolean' },
} as const;

/** Demo thresholds, so that every status shows within a minute (unless the user set their own). */
// Logs at warn: the demo's own lines are what a newcomer should read; `--log-level info` brings the JSON logs back.
const DEMO_DEFAULTS = { 'degraded-after': '3s', 'unreachable-after': '8s', window: '500ms', 'log-level': 'warn' } as const;

/** `vigil up`: the whole platform in one process (embedded mode), optionally with the demo agents. */
export const command: CliCommand = {
  name: 'up',
  summary: 'Run Vigil in one process on one SQLite file (embedded mode); --demo adds demo agents',
  usage: [
    'Usage: vigil up [--port 8080] [--data ./data] [--api-key <key>] [--degraded-after 90s] [--unreachable-after 5m]',
    '                [--stalled-after <dur>] [--window 1s] [--partitions <n>] [--demo]',
    '',
    'Options (environment variable in brackets):',
    '  --port <n>                 HTTP port (VIGIL_PORT, default 8080; 0 picks a free one)',
    '  --host <addr>              listen address (VIGIL_HOST, default 127.0.0.1)',
    '  --data <dir>               where vigil.db and the generated api-key live (VIGIL_DATA, default ./data)',
    '  --api-key <key>            bootstrap admin key, operator of tenant "default" (VIGIL_API_KEY; default: generated once,',
    '                             stored in <data>/api-key); create other keys with vigil keys create',
    '  --degraded-after <dur>     silence before degraded (VIGIL_DEGRADED_AFTER; default 3 x the agent\'s interval)',
    '  --unreachable-after <dur>  silence before unreachable (VIGIL_UNREACHABLE_AFTER; default 10 x the interval)',
    '  --stalled-after <dur>      no progress with work in flight before stalled (VIGIL_STALLED_AFTER; default 5 x)',
    '  --forget-after <dur>       stopped or unreachable agents are forgotten after it (VIGIL_FORGET_AFTER, default 7d;',
    '                             per tenant: PUT /v1/retention)',
    '  --keep-transitions <dur>   transitions kept, in event time (VIGIL_KEEP_TRANSITIONS, default 30d)',
    '  --keep-metric-minutes <d>  1-minute metrics kept, then rolled into hours (VIGIL_KEEP_METRIC_MINUTES, default 7d)',
    '  --keep-metric-hours <dur>  1-hour roll-ups kept (VIGIL_KEEP_METRIC_HOURS, default 90d)',
    '  --window <dur>             detector window (VIGIL_WINDOW, default 1s)',
    '  --partitions <n>           partitions of the embedded log (VIGIL_PARTITIONS; default: as the data directory has, 1 when new)',
    '  --topic-prefix <p>         topic name prefix (VIGIL_TOPIC_PREFIX, default "vigil.")',
    '  --log-level <level>        pino level (VIGIL_LOG_LEVEL, default info; logs go to stderr as JSON)',
    '  --demo                     start demo agents with demo thresholds (3s / 8s / 500ms windows)',
    '',
    'Ingest and query settings (environment, as for vigil serve): VIGIL_INGEST_BODY_LIMIT, VIGIL_TICK_INTERVAL,',
    'VIGIL_RETRY_AFTER, VIGIL_RATE_LIMIT_INGEST, VIGIL_QUERY_BODY_LIMIT, VIGIL_SSE_POLL_INTERVAL, VIGIL_SSE_KEEPALIVE,',
    'VIGIL_SSE_MAX_CLIENTS, VIGIL_RATE_LIMIT_CONTROL, VIGIL_MAX_EVENT_LOOP_DELAY.',
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    const flags: Record<string, string | boolean | undefined> = { ...values };
    if (values.demo === true) {
      // A demo default yields to the flag and to its environment variable (VIGIL_DEGRADED_AFTER, ...).
      for (const [k, v] of Object.entries(DEMO_DEFAULTS)) if (io.env[`VIGIL_${k.replace(/-/g, '_').toUpperCase()}`] === undefined) flags[k] ??= v;
    }
    const config = upConfig(flags, io.env);
    const logger = pino({ level: config.logLevel }, pino.destination(2));
    const platform = await startEmbeddedPlatform(config, logger);
    const keyNote = platform.apiKeyCreated ? ` (generated, stored in ${platform.apiKeyFile})` : platform.apiKeyFile ? ` (from ${platform.apiKeyFile})` : '';
    io.stdout(
      [
        `Vigil is up at ${platform.url} (embedded: ${platform.databaseFile})`,
        `API key for tenant "default": ${platform.apiKey}${keyNote}`,
        `  (role admin: operator of tenant "default" and keys of every tenant; more keys: vigil keys create --tenant <t> --role agent)`,
        '',
        `Dashboard: ${platform.url}/dashboard   (paste the API key above when it asks)`,
        '',
        'Try:',
        `  curl -s -H 'Authorization: Bearer ${platform.apiKey}' ${platform.url}/v1/fleet/summary`,
        `  curl -s -H 'Authorization: Bearer ${platform.apiKey}' ${platform.url}/v1/agents`,
        `  curl -s -H 'Authorization: Bearer ${platform.apiKey}' -H 'content-type: application/json' -d '{"agentId":"my-agent"}' ${platform.url}/v1/heartbeats`,
        `  VIGIL_URL=${platform.url} VIGIL_API_KEY=${platform.apiKey} npx vigil agents`,
        `  VIGIL_URL=${platform.url} VIGIL_API_KEY=${platform.apiKey} npx vigil tail`,
        `  API docs: ${platform.url}/docs (OpenAPI: ${platform.url}/openapi.json)   health: ${platform.url}/healthz   metrics: ${platform.url}/metrics`,
        '',
        '',
      ].join('\n'),
    );
    let demo: DemoRun | null = null;
    if (config.demo) {
      io.stdout('[demo] starting 4 agents (1 s heartbeats; degraded after 3 s of silence, unreachable after 8 s):\n');
      for (const d of DEMO_SCRIPT) io.stdout(`[demo]   ${d.agentId.padEnd(15)} ${d.fate}${d.at === null ? '' : ` (at +${d.at}s)`}\n`);
      demo = startDemo({ url: platform.url, apiKey: platform.apiKey, readModel: platform.readModel, io });
    }
    const failure = await Promise.race([waitForStop(io).then(() => null), platform.failed]);
    if (failure !== null) io.stderr(`vigil up: the writer thread failed (${failure.message}); stopping\n`);
    else io.stderr('stopping: draining and committing...\n');
    await demo?.stop();
    await platform.close();
    io.stderr('stopped\n');
    return failure === null ? 0 : 1;
  },
};
