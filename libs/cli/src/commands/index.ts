import type { CliCommand } from '../cli-command.ts';

/**
 * A command as `vigil --help` lists it, loaded only when run: a client command must not pay for importing the
 * platform (fastify, SQLite, kafkajs) at every start.
 */
export interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<CliCommand>;
}

/** A lazily loaded command; `summary` must equal the loaded command's (a unit test checks). */
function lazy(name: string, summary: string, load: () => Promise<{ command: CliCommand }>): CommandEntry {
  return { name, summary, load: async () => (await load()).command };
}

/**
 * Every `vigil` command, in the order `vigil --help` lists them. To add one, write `src/commands/<name>.ts`
 * exporting `command` and add a `lazy(...)` line here (an eager `CliCommand` works too, but slows every start).
 */
export const commands: readonly (CommandEntry | CliCommand)[] = [
  lazy('up', 'Run Vigil in one process on one SQLite file (embedded mode); --demo adds demo agents', () => import('./up.ts')),
  lazy('serve', 'Run one service (ingest, detector, projector, query or notifier) in this process (distributed mode)', () => import('./serve.ts')),
  lazy('login', 'Save the URL and API key that client commands use (~/.config/vigil/config.json, mode 0600)', () => import('./login.ts')),
  lazy('agents', 'List agents: status, last seen, success rate, p95 latency, cost (filter, sort, search, --watch)', () => import('./agents.ts')),
  lazy('agent', 'Show one agent: details, transitions and recent metric windows', () => import('./agent.ts')),
  lazy('summary', 'One line of counts per status for the tenant', () => import('./summary.ts')),
  lazy('kill', 'Kill an agent: it stops receiving work and its next beat tells it to stop', () => import('./kill.ts')),
  lazy('resume', 'Resume a killed agent', () => import('./resume.ts')),
  lazy('forget', 'Forget an agent: its status, transitions, metrics and history are deleted', () => import('./forget.ts')),
  lazy('thresholds', "Set an agent's thresholds, or the tenant's when no id is given", () => import('./thresholds.ts')),
  lazy('retention', "Set the tenant's retention: stopped or unreachable agents are forgotten after it", () => import('./retention.ts')),
  lazy('webhooks', 'Manage webhooks that are told of failures (json, Slack, PagerDuty): add, list, remove, test, deliveries, resend', () => import('./webhooks.ts')),
  lazy('tail', 'Follow status transitions live (Ctrl-C to stop)', () => import('./tail.ts')),
  lazy('replay', 'Replay a JSONL event log through the detector and print transitions and metric summaries as JSONL', () => import('./replay.ts')),
  lazy('dashboard', 'Print (and open) a dashboard URL that logs the browser in', () => import('./dashboard.ts')),
  lazy('whoami', 'Show the API key the client commands use: its id, tenant, role and name (never the key)', () => import('./whoami.ts')),
  lazy('keys', 'Create, list and revoke API keys (admin)', () => import('./keys.ts')),
];

/** The command of that name, loaded, if any. */
export async function findCommand(name: string): Promise<CliCommand | undefined> {
  const entry = commands.find((c) => c.name === name);
  if (entry === undefined) return undefined;
  return 'load' in entry ? entry.load() : entry;
}
