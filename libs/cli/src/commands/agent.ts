import type { AgentView, HistoryEntry, TransitionView } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { UsageError } from '../usage-error.ts';
import { relativeTime, shortDuration } from '../format/relative-time.ts';
import { formatPairs, formatTable } from '../format/table.ts';

/** How many recent transitions the details view shows. */
const RECENT_TRANSITIONS = 10;

function details(a: AgentView, now: number): string {
  const pairs: [string, string][] = [
    ['agent', a.agentId],
    ['status', `${a.status} (since ${relativeTime(a.statusSince, now)})`],
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
  if (a.killed !== null) pairs.push(['killed', `by ${a.killed.by} ${relativeTime(a.killed.at, now)}: ${a.killed.reason}`]);
  return formatPairs(pairs);
}

function transitionsTable(items: readonly TransitionView[], now: number): string {
  if (items.length === 0) return 'No transitions yet.\n';
  return formatTable(
    ['WHEN', 'AT', 'FROM', 'TO', 'REASON'],
    items.map((t) => [relativeTime(t.at, now), t.at, t.from, t.to, t.reason]),
  );
}

/** One line about a history entry: what a person wants to see of each kind. */
function describeEntry(e: HistoryEntry): string {
  const d = e.data as Record<string, unknown>;
  if (e.type === 'status-transitioned') return `${String(d['from'])} -> ${String(d['to'])}: ${String(d['reason'])}`;
  if (e.type === 'metric-summary') {
    const count = Number(d['count']);
    const rate = typeof d['successRate'] === 'number' ? ` ${Math.round(d['successRate'] * 100)}% ok` : '';
    return `${count} calls${rate}`;
  }
  const text = JSON.stringify(d);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

function historyTable(items: readonly HistoryEntry[]): string {
  if (items.length === 0) return 'No history.\n';
  return formatTable(
    ['REV', 'AT', 'TYPE', 'WHAT'],
    items.map((e) => [String(e.revision), e.at, e.type, describeEntry(e)]),
  );
}

const options = { ...clientFlags, history: { type: 'boolean' }, limit: { type: 'string' }, cursor: { type: 'string' } } as const;

/** `vigil agent <id>`: everything known about one agent and its recent history. */
export const command: CliCommand = {
  name: 'agent',
  summary: 'Show one agent in detail with its last 10 transitions',
  usage: [
    'Usage: vigil agent <id> [--history [--limit n] [--cursor c]] [--json]',
    '',
    'Options:',
    '  --history          the agent\'s history from the event store (lifecycle, transitions, metric summaries), newest first',
    '  --limit <n>        history entries per page (default 20)',
    '  --cursor <c>       the next page (printed after a full page)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 1);
    const id = requirePositional(positionals, 'agent id');
    const client = clientFrom(values, io);
    if (values.history === true) {
      const limit = values.limit === undefined ? 20 : Number(values.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError('--limit must be a whole number from 1 to 500');
      const page = await client.historyPage(id, { limit, ...(values.cursor === undefined ? {} : { cursor: values.cursor }) });
      if (values.json === true) printJson(io, page);
      else io.stdout(`${historyTable(page.items)}${page.nextCursor === null ? '' : `More: vigil agent ${id} --history --cursor ${page.nextCursor}\n`}`);
      return 0;
    }
    if (values.limit !== undefined || values.cursor !== undefined) throw new UsageError('--limit and --cursor go with --history');
    const [agent, page] = await Promise.all([client.getAgent(id), client.transitionsPage(id, { limit: RECENT_TRANSITIONS })]);
    const transitions = page.items.slice(0, RECENT_TRANSITIONS);
    if (values.json === true) {
      printJson(io, { agent, transitions });
      return 0;
    }
    const now = (io.now ?? Date.now)();
    io.stdout(`${details(agent, now)}\nRecent transitions\n${transitionsTable(transitions, now)}`);
    return 0;
  },
};
