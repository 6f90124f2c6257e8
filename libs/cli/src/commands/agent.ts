import type { AgentView, TransitionView } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
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

/** `vigil agent <id>`: everything known about one agent and its recent history. */
export const command: CliCommand = {
  name: 'agent',
  summary: 'Show one agent in detail with its last 10 transitions',
  usage: ['Usage: vigil agent <id> [--json]', '', 'Options:', CLIENT_FLAGS_USAGE].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, clientFlags, 1);
    const id = requirePositional(positionals, 'agent id');
    const client = clientFrom(values, io);
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
