import { AgentStatus } from '@vigil/contracts';
import type { AgentFilter, AgentSort, AgentView, RecentMetrics, VigilClient } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { paletteFor, type Palette } from '../format/colour.ts';
import { latency, percent, usd } from '../format/metric-cells.ts';
import { relativeTime } from '../format/relative-time.ts';
import { summaryLine } from '../format/summary-line.ts';
import { formatTable } from '../format/table.ts';
import { sleepUnlessAborted } from '../abortable-sleep.ts';
import { UsageError } from '../usage-error.ts';

const options = {
  ...clientFlags,
  status: { type: 'string' },
  deliverable: { type: 'boolean' },
  flapping: { type: 'boolean' },
  label: { type: 'string', multiple: true },
  sort: { type: 'string' },
  search: { type: 'string' },
  limit: { type: 'string' },
  watch: { type: 'boolean', short: 'w' },
  interval: { type: 'string' },
} as const;

const SORTS: readonly AgentSort[] = ['severity', 'id', 'lastSeen'];
/** Largest page the API serves. */
const PAGE = 500;
/** Rows a `--watch` screen shows when the terminal does not say its height. */
const WATCH_ROWS = 20;

/** An agent and its metrics of the last hour (null: no samples in it). */
type Row = AgentView & { readonly recent: RecentMetrics | null };

/** Flags worth a glance in the list: what makes an agent need attention beyond its status. */
function flagsOf(agent: AgentView): string {
  const flags: string[] = [];
  if (!agent.deliverable) flags.push('undeliverable');
  if (agent.flapping) flags.push('flapping');
  if (agent.restarts > 0) flags.push(`restarts=${agent.restarts}`);
  return flags.join(',');
}

/** Parses repeated `--label k:v` into a map. */
function parseLabels(labels: string[] | undefined): Record<string, string> | undefined {
  if (labels === undefined) return undefined;
  const out: Record<string, string> = {};
  for (const label of labels) {
    const colon = label.indexOf(':');
    if (colon <= 0) throw new UsageError(`--label must look like key:value, got '${label}'`);
    out[label.slice(0, colon)] = label.slice(colon + 1);
  }
  return out;
}

function positiveInt(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UsageError(`${flag} must be a positive integer, got '${value}'`);
  return n;
}

/** Pages through the list (up to `limit`), asking each page's last-hour metrics in one more request. */
async function fetchRows(client: VigilClient, filter: AgentFilter, limit: number | undefined): Promise<Row[]> {
  const rows: Row[] = [];
  let cursor: string | null | undefined;
  do {
    const pageSize = limit === undefined ? PAGE : Math.min(PAGE, limit - rows.length);
    const page = await client.listAgentsPage(filter, { limit: pageSize, cursor });
    if (page.items.length > 0) {
      const recent = await client.recentMetrics(page.items.map((a) => a.agentId));
      const byId = new Map(recent.items.map((m) => [m.agentId, m]));
      for (const agent of page.items) rows.push({ ...agent, recent: byId.get(agent.agentId) ?? null });
    }
    cursor = page.nextCursor;
  } while (cursor !== null && cursor !== undefined && (limit === undefined || rows.length < limit));
  return limit === undefined ? rows : rows.slice(0, limit);
}

function table(rows: readonly Row[], now: number, palette: Palette): string {
  if (rows.length === 0) return 'No agents match.\n';
  return formatTable(
    ['STATUS', 'AGENT', 'LAST SEEN', 'SINCE', 'SUCCESS', 'P95', 'COST 1H', 'FLAGS'],
    rows.map((a) => [
      a.status,
      a.agentId,
      relativeTime(a.lastHeartbeatAt, now),
      relativeTime(a.statusSince, now),
      percent(a.recent?.successRate),
      latency(a.recent?.latencyP95Ms),
      usd(a.recent?.costUsd),
      flagsOf(a),
    ]),
    (column, text, row) => (column === 0 ? palette.status(row[0] ?? '', text) : column === 7 ? palette.dim(text) : text),
  );
}

/** `vigil agents`: the fleet at a glance, worst first with `--sort severity`, refreshed with `--watch`. */
export const command: CliCommand = {
  name: 'agents',
  summary: 'List agents: status, last seen, success rate, p95 latency, cost (filter, sort, search, --watch)',
  usage: [
    'Usage: vigil agents [--status <s>] [--label k:v]... [--sort severity|id|lastSeen] [--search <prefix>] [--watch] [--json]',
    '',
    'Columns: status, agent, last seen, status since, and over the last hour: success rate, p95 latency (worst',
    'minute) and cost. Colours on a terminal only (NO_COLOR turns them off).',
    '',
    'Options:',
    `  --status <status>  only agents in this status (${AgentStatus.options.join(', ')})`,
    '  --deliverable      only agents that may receive work (healthy or degraded)',
    '  --flapping         only flapping agents',
    '  --label k:v        only agents with this label (repeatable: all must match)',
    '  --sort <order>     severity (worst first), id, or lastSeen (most recent first); default: the server\'s (id)',
    '  --search <prefix>  only agents whose id or a label value starts with this',
    '  --limit <n>        at most n agents (default all; with --watch, a screenful)',
    '  -w, --watch        redraw every --interval seconds until Ctrl-C',
    '  --interval <s>     seconds between redraws of --watch (default 2)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values } = parseFlags(argv, options, 0);
    let status: AgentStatus | undefined;
    if (values.status !== undefined) {
      const parsed = AgentStatus.safeParse(values.status);
      if (!parsed.success) throw new UsageError(`--status must be one of ${AgentStatus.options.join(', ')}, got '${values.status}'`);
      status = parsed.data;
    }
    if (values.sort !== undefined && !SORTS.includes(values.sort as AgentSort)) {
      throw new UsageError(`--sort must be one of ${SORTS.join(', ')}, got '${values.sort}'`);
    }
    if (values.search !== undefined && values.search === '') throw new UsageError('--search must not be empty');
    if (values.watch === true && values.json === true) throw new UsageError('--watch redraws a table for people; leave out --json');
    if (values.interval !== undefined && values.watch !== true) throw new UsageError('--interval only goes with --watch');
    const intervalS = positiveInt(values.interval, '--interval') ?? 2;
    const watch = values.watch === true;
    const limit = positiveInt(values.limit, '--limit') ?? (watch ? Math.max(5, (io.rows ?? WATCH_ROWS + 4) - 4) : undefined);
    const labels = parseLabels(values.label);
    const filter: AgentFilter = {
      ...(status === undefined ? {} : { status }),
      ...(values.deliverable === true ? { deliverable: true } : {}),
      ...(values.flapping === true ? { flapping: true } : {}),
      ...(labels === undefined ? {} : { labels }),
      ...(values.sort === undefined ? {} : { sort: values.sort as AgentSort }),
      ...(values.search === undefined ? {} : { search: values.search }),
    };
    const client = clientFrom(values, io);
    const palette = paletteFor(io);
    const now = io.now ?? Date.now;
    if (!watch) {
      const rows = await fetchRows(client, filter, limit);
      if (values.json === true) printJson(io, rows);
      else io.stdout(table(rows, now(), palette));
      return 0;
    }
    // A terminal gets the screen redrawn in place; a pipe gets one snapshot after another.
    const clear = io.stdoutIsTTY === true ? '\u001b[H\u001b[2J' : '';
    do {
      const [summary, rows] = await Promise.all([client.summary(), fetchRows(client, filter, limit)]);
      const at = new Date(now()).toISOString().slice(11, 19);
      io.stdout(`${clear}${summaryLine(summary, palette)}   ${palette.dim(`(${at} UTC, every ${intervalS}s, Ctrl-C to stop)`)}\n${table(rows, now(), palette)}`);
      if (clear === '') io.stdout('\n');
    } while (!(await sleepUnlessAborted(intervalS * 1000, io.signal)));
    return 0;
  },
};
