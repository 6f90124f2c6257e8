import type { AgentView, MetricPoint, TransitionView } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { paletteFor, type Palette } from '../format/colour.ts';
import { latency, percent, usd } from '../format/metric-cells.ts';
import { relativeTime, shortDuration } from '../format/relative-time.ts';
import { formatPairs, formatTable } from '../format/table.ts';
import { UsageError } from '../usage-error.ts';

/** How many recent transitions the details view shows. */
const RECENT_TRANSITIONS = 10;
/** Metric windows shown when `--since` is absent: the last ten minutes (or hours with `--resolution 1h`). */
const RECENT_WINDOWS = 10;
const WINDOW_MS = { '1m': 60_000, '1h': 3_600_000 } as const;

const options = { ...clientFlags, since: { type: 'string' }, resolution: { type: 'string' } } as const;

function details(a: AgentView, now: number, palette: Palette): string {
  const pairs: [string, string][] = [
    ['agent', a.agentId],
    ['status', `${palette.status(a.status)} (since ${relativeTime(a.statusSince, now)})`],
    ['reason', a.lastReason],
    ['deliverable', a.deliverable ? 'yes' : 'no'],
    ['last beat', a.lastHeartbeatAt === null ? 'never' : `${relativeTime(a.lastHeartbeatAt, now)} (${a.lastHeartbeatAt})`],
    ['interval', shortDuration(a.intervalSeconds * 1000)],
    ['instance', a.instanceId ?? '-'],
    ['host', a.host ?? '-'],
    ['version', a.version ?? '-'],
    ['registered', `${relativeTime(a.registeredAt, now)} (${a.registeredAt})`],
    ['restarts', String(a.restarts)],
    ['flapping', a.flapping ? 'yes' : 'no'],
    ['progress', a.progress === null ? '-' : `${a.progress.completed} completed, ${a.progress.inFlight} in flight`],
    ['labels', Object.entries(a.labels).map(([k, v]) => `${k}:${v}`).join(' ') || '-'],
  ];
  // Event-loop delay arrives with the Node SDK's beats; older servers and other producers send none.
  const loop = a.eventLoopDelayMs;
  if (loop !== undefined && loop !== null) pairs.push(['event loop', `delay p50 ${latency(loop.p50)}, p99 ${latency(loop.p99)}, max ${latency(loop.max)}`]);
  if (a.killed !== null) pairs.push(['killed', `by ${a.killed.by} ${relativeTime(a.killed.at, now)}: ${a.killed.reason}`]);
  return formatPairs(pairs);
}

function transitionsTable(items: readonly TransitionView[], now: number, palette: Palette): string {
  if (items.length === 0) return 'No transitions yet.\n';
  return formatTable(
    ['WHEN', 'AT', 'FROM', 'TO', 'REASON'],
    items.map((t) => [relativeTime(t.at, now), t.at, t.from, t.to, t.reason]),
    (column, text, row) => (column === 2 || column === 3 ? palette.status(row[column] ?? '', text) : text),
  );
}

function metricsTable(points: readonly MetricPoint[]): string {
  if (points.length === 0) return 'No metric windows in this range.\n';
  return formatTable(
    ['WINDOW', 'COUNT', 'SUCCESS', 'P50', 'P95', 'P99', 'COST'],
    points.map((p) => [
      p.windowStart.slice(0, 16).replace('T', ' '),
      String(p.count),
      percent(p.successRate),
      latency(p.latency?.p50),
      latency(p.latency?.p95),
      latency(p.latency?.p99),
      usd(p.costUsd),
    ]),
  );
}

/** `vigil agent <id>`: everything known about one agent, its recent transitions and metric windows. */
export const command: CliCommand = {
  name: 'agent',
  summary: 'Show one agent: details, transitions and recent metric windows',
  usage: [
    'Usage: vigil agent <id> [--since <when>] [--resolution 1m|1h] [--json]',
    '',
    'Shows the agent, its last 10 transitions and its metric windows (the last 10 by default).',
    '',
    'Options:',
    '  --since <when>     metric windows from then: a span back (90m, 2h, 1d) or an ISO 8601 time (UTC)',
    '  --resolution <r>   1m (default) or 1h windows',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = requirePositional(positionals, 'agent id');
    const resolution = values.resolution ?? '1m';
    if (resolution !== '1m' && resolution !== '1h') throw new UsageError(`--resolution must be 1m or 1h, got '${resolution}'`);
    const now = (io.now ?? Date.now)();
    // luxon only here: reading people's dates is worth its load time in this command, not in every start.
    const from = values.since === undefined ? now - RECENT_WINDOWS * WINDOW_MS[resolution] : (await import('../format/since.ts')).parseSince(values.since, now);
    const client = clientFrom(values, io);
    const [agent, page, metrics] = await Promise.all([
      client.getAgent(id),
      client.transitionsPage(id, { limit: RECENT_TRANSITIONS }),
      client.metrics(id, resolution, { from: Math.floor(from / WINDOW_MS[resolution]) * WINDOW_MS[resolution], limit: 1440 }),
    ]);
    const transitions = page.items.slice(0, RECENT_TRANSITIONS);
    if (values.json === true) {
      printJson(io, { agent, transitions, metrics });
      return 0;
    }
    const palette = paletteFor(io);
    io.stdout(
      `${details(agent, now, palette)}\nRecent transitions\n${transitionsTable(transitions, now, palette)}\nMetric windows (${resolution})\n${metricsTable(metrics)}`,
    );
    return 0;
  },
};
