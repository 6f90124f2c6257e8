/**
 * Whom a command needs: `client` commands only call the API (or print), so the bundled client (`dist/bundle`, built
 * by `npm run build`) carries them and none may import the platform; `platform` commands run Vigil or its detector.
 */
export type CommandKind = 'client' | 'platform';

/**
 * Every `vigil` command, in the order `vigil --help` lists them: names and summaries only, so listing them loads
 * nothing. Each `summary` must equal its loaded command's (a unit test checks). To add a command, write
 * `src/commands/<name>.ts` exporting `command`, list it here, and give it a loader in `client-loaders.ts` or
 * `index.ts` (platform); the types refuse a name without one.
 */
export const CATALOGUE = [
  { name: 'up', kind: 'platform', summary: 'Run Vigil in one process on one SQLite file (embedded mode); --demo adds demo agents' },
  { name: 'serve', kind: 'platform', summary: 'Run one service (ingest, detector, projector, query or notifier) in this process (distributed mode)' },
  { name: 'login', kind: 'client', summary: 'Save the URL and API key that client commands use (~/.config/vigil/config.json, mode 0600)' },
  { name: 'agents', kind: 'client', summary: 'List agents: status, last seen, success rate, p95 latency, cost (filter, sort, search, --watch)' },
  { name: 'agent', kind: 'client', summary: 'Show one agent: details, transitions and recent metric windows' },
  { name: 'summary', kind: 'client', summary: 'One line of counts per status for the tenant' },
  { name: 'kill', kind: 'client', summary: 'Kill an agent: it stops receiving work and its next beat tells it to stop' },
  { name: 'resume', kind: 'client', summary: 'Resume a killed agent' },
  { name: 'forget', kind: 'client', summary: 'Forget an agent: its status, transitions, metrics and history are deleted' },
  { name: 'thresholds', kind: 'client', summary: "Set an agent's thresholds, or the tenant's when no id is given" },
  { name: 'retention', kind: 'client', summary: "Show or set the tenant's retention: stopped or unreachable agents are forgotten after it" },
  { name: 'webhooks', kind: 'client', summary: 'Manage webhooks that are told of failures (json, Slack, PagerDuty): add, list, remove, test, deliveries, resend' },
  { name: 'tail', kind: 'client', summary: 'Follow status transitions live (Ctrl-C to stop)' },
  { name: 'replay', kind: 'platform', summary: 'Replay a JSONL event log through the detector and print transitions and metric summaries as JSONL' },
  { name: 'dashboard', kind: 'client', summary: 'Print (and open) a dashboard URL that logs the browser in' },
  { name: 'whoami', kind: 'client', summary: 'Show the API key the client commands use: its id, tenant, role and name (never the key)' },
  { name: 'keys', kind: 'client', summary: 'Create, list and revoke API keys (admin)' },
] as const satisfies readonly { name: string; kind: CommandKind; summary: string }[];

/** One listed command. */
export type CatalogueEntry = (typeof CATALOGUE)[number];

/** The names of the commands that only call the API. */
export type ClientCommandName = Extract<CatalogueEntry, { kind: 'client' }>['name'];

/** The names of the commands that run the platform. */
export type PlatformCommandName = Extract<CatalogueEntry, { kind: 'platform' }>['name'];

/** Whether `name` is a command that runs the platform (the bundled client hands those to the full build). */
export function isPlatformCommand(name: string): boolean {
  return CATALOGUE.some((c) => c.name === name && c.kind === 'platform');
}
