import { AgentStatus } from '@vigil/contracts';
import type { AgentView } from '@vigil/sdk';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { relativeTime } from '../format/relative-time.ts';
import { formatTable } from '../format/table.ts';
import { UsageError } from '../usage-error.ts';

const options = {
  ...clientFlags,
  status: { type: 'string' },
  deliverable: { type: 'boolean' },
  flapping: { type: 'boolean' },
  label: { type: 'string', multiple: true },
  limit: { type: 'string' },
} as const;

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

/** `vigil agents`: the fleet at a glance, or what a dispatcher asks before sending work (`--deliverable`). */
export const command: CliCommand = {
  name: 'agents',
  summary: 'List agents with their status (filter by status, deliverable, flapping, label)',
  usage: [
    'Usage: vigil agents [--status <status>] [--deliverable] [--flapping] [--label k:v]... [--limit n] [--json]',
    '',
    'Options:',
    `  --status <status>  only agents in this status (${AgentStatus.options.join(', ')})`,
    '  --deliverable      only agents that may receive work (healthy or degraded)',
    '  --flapping         only flapping agents',
    '  --label k:v        only agents with this label (repeatable: all must match)',
    '  --limit <n>        at most n agents',
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
    let limit: number | undefined;
    if (values.limit !== undefined) {
      limit = Number(values.limit);
      if (!Number.isInteger(limit) || limit <= 0) throw new UsageError(`--limit must be a positive integer, got '${values.limit}'`);
    }
    const labels = parseLabels(values.label);
    const client = clientFrom(values, io);
    const agents: AgentView[] = [];
    const filter = {
      ...(status === undefined ? {} : { status }),
      ...(values.deliverable === true ? { deliverable: true } : {}),
      ...(values.flapping === true ? { flapping: true } : {}),
      ...(labels === undefined ? {} : { labels }),
      ...(limit === undefined ? {} : { limit: Math.min(limit, 500) }),
    };
    for await (const agent of client.listAgents(filter)) {
      agents.push(agent);
      if (limit !== undefined && agents.length >= limit) break;
    }
    if (values.json === true) {
      printJson(io, agents);
      return 0;
    }
    if (agents.length === 0) {
      io.stdout('No agents match.\n');
      return 0;
    }
    const now = (io.now ?? Date.now)();
    io.stdout(
      formatTable(
        ['AGENT', 'STATUS', 'SINCE', 'LAST BEAT', 'FLAGS'],
        agents.map((a) => [a.agentId, a.status, relativeTime(a.statusSince, now), relativeTime(a.lastHeartbeatAt, now), flagsOf(a)]),
      ),
    );
    return 0;
  },
};
