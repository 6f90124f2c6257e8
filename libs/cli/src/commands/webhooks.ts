import { WEBHOOK_EVENT_NAMES, type DeliveryView, type WebhookEventName, type WebhookFormat } from '@vigil/contracts';
import { CLIENT_FLAGS_USAGE, clientFlags, clientFrom, parseFlags, printJson, requirePositional } from '../args.ts';
import type { CliCommand, CliIo } from '../cli-command.ts';
import { EXIT } from '../exit-codes.ts';
import { formatTable } from '../format/table.ts';
import { UsageError } from '../usage-error.ts';

const FORMATS: readonly WebhookFormat[] = ['json', 'slack', 'pagerduty'];
const options = {
  ...clientFlags,
  on: { type: 'string' },
  format: { type: 'string' },
  'routing-key': { type: 'string' },
  limit: { type: 'string' },
  wait: { type: 'string' },
} as const;

function eventsOf(text: string | undefined): WebhookEventName[] | undefined {
  if (text === undefined) return undefined;
  const names = text
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  const bad = names.find((n) => !(WEBHOOK_EVENT_NAMES as readonly string[]).includes(n));
  if (names.length === 0 || bad !== undefined) throw new UsageError(`--on takes a comma-separated list of ${WEBHOOK_EVENT_NAMES.join(', ')}${bad === undefined ? '' : `; got '${bad}'`}`);
  return names as WebhookEventName[];
}

function deliveryRows(items: readonly DeliveryView[]): string[][] {
  return items.map((d) => [d.id, d.type, d.agentId ?? '-', d.status, String(d.attempts), d.lastStatus === null ? '-' : String(d.lastStatus), d.lastError ?? '', d.createdAt]);
}

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `vigil webhooks add|list|remove|test|deliveries|resend`: the tenant's alert destinations. */
export const command: CliCommand = {
  name: 'webhooks',
  summary: 'Manage webhooks that are told of failures (json, Slack, PagerDuty): add, list, remove, test, deliveries, resend',
  usage: [
    'Usage: vigil webhooks add <url> [--on degraded,unreachable,stalled,flapping,recovered] [--format json|slack|pagerduty] [--routing-key <k>] [--json]',
    '       vigil webhooks list [--json]',
    '       vigil webhooks remove <id> [--json]',
    '       vigil webhooks test <id> [--wait 15s] [--json]',
    '       vigil webhooks deliveries <id> [--limit n] [--json]',
    '       vigil webhooks resend <id> <delivery-id> [--json]',
    '',
    'add prints the webhook id and its signing secret (whsec_...): the secret is shown this once; keep it to verify',
    'deliveries (Standard Webhooks: webhook-id, webhook-timestamp, webhook-signature headers).',
    '',
    'Options:',
    `  --on <events>        what to be told of (default degraded,unreachable,stalled,flapping; pagerduty adds recovered)`,
    '  --format <f>         json (default), slack (incoming webhook), pagerduty (Events API v2)',
    '  --routing-key <k>    PagerDuty integration key (required with --format pagerduty)',
    '  --limit <n>          deliveries to list (default 20)',
    '  --wait <seconds>     test: how long to wait for the first attempt (default 15)',
    CLIENT_FLAGS_USAGE,
  ].join('\n'),
  async run(argv: string[], io: CliIo): Promise<number> {
    const { values, positionals } = parseFlags(argv, options, 3);
    const [sub, ...rest] = positionals;
    const json = values.json === true;
    switch (sub) {
      case 'add': {
        const url = requirePositional(rest, 'webhook url');
        const format = values.format ?? 'json';
        if (!(FORMATS as readonly string[]).includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${format}'`);
        if (format === 'pagerduty' && values['routing-key'] === undefined) throw new UsageError('--routing-key is required with --format pagerduty');
        const events = eventsOf(values.on);
        const created = await clientFrom(values, io).createWebhook({
          url,
          format: format as WebhookFormat,
          ...(events === undefined ? {} : { events }),
          ...(values['routing-key'] === undefined ? {} : { routingKey: values['routing-key'] }),
        });
        if (json) printJson(io, created);
        else io.stdout(`Webhook ${created.id} added (${created.format}, on ${created.events.join(',')}).\nSigning secret (shown once; keep it to verify deliveries): ${created.secret}\n`);
        return EXIT.ok;
      }
      case 'list': {
        const hooks = await clientFrom(values, io).listWebhooks();
        if (json) printJson(io, { items: hooks });
        else if (hooks.length === 0) io.stdout('No webhooks. Add one with: vigil webhooks add <url>\n');
        else io.stdout(formatTable(['ID', 'FORMAT', 'EVENTS', 'URL', 'CREATED'], hooks.map((w) => [w.id, w.format, w.events.join(','), w.url, w.createdAt])));
        return EXIT.ok;
      }
      case 'remove': {
        const id = requirePositional(rest, 'webhook id');
        await clientFrom(values, io).deleteWebhook(id);
        if (json) printJson(io, { id, removed: true });
        else io.stdout(`Webhook ${id} removed; its pending deliveries are cancelled.\n`);
        return EXIT.ok;
      }
      case 'test': {
        const id = requirePositional(rest, 'webhook id');
        const waitSeconds = values.wait === undefined ? 15 : Number(values.wait.replace(/s$/, ''));
        if (!Number.isFinite(waitSeconds) || waitSeconds < 0) throw new UsageError(`--wait must be a number of seconds, got '${values.wait ?? ''}'`);
        const client = clientFrom(values, io);
        const deliveryId = await client.testWebhook(id);
        const deadline = Date.now() + waitSeconds * 1000;
        let delivery: DeliveryView | undefined;
        for (;;) {
          delivery = (await client.webhookDeliveries(id, { limit: 50 })).items.find((d) => d.id === deliveryId);
          if ((delivery !== undefined && delivery.attempts > 0) || Date.now() >= deadline) break;
          await sleep(250);
        }
        const ok = delivery?.status === 'delivered';
        if (json) printJson(io, { id, deliveryId, delivery: delivery ?? null });
        else if (delivery === undefined || delivery.attempts === 0) io.stderr(`vigil webhooks: test ${deliveryId} queued but not attempted within ${waitSeconds}s; is the notifier running? (vigil webhooks deliveries ${id})\n`);
        else if (ok) io.stdout(`Test ${deliveryId} delivered: HTTP ${String(delivery.lastStatus)}.\n`);
        else io.stderr(`vigil webhooks: test ${deliveryId} failed: ${delivery.lastError ?? 'no answer'} (${delivery.status}; next attempt ${delivery.nextAttemptAt ?? 'none'})\n`);
        return ok ? EXIT.ok : EXIT.failure;
      }
      case 'deliveries': {
        const id = requirePositional(rest, 'webhook id');
        const limit = values.limit === undefined ? 20 : Number(values.limit);
        if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new UsageError(`--limit must be a whole number from 1 to 500, got '${values.limit ?? ''}'`);
        const page = await clientFrom(values, io).webhookDeliveries(id, { limit });
        if (json) printJson(io, page);
        else if (page.items.length === 0) io.stdout(`No deliveries for ${id} yet.\n`);
        else io.stdout(formatTable(['ID', 'TYPE', 'AGENT', 'STATUS', 'ATTEMPTS', 'HTTP', 'LAST ERROR', 'CREATED'], deliveryRows(page.items)));
        return EXIT.ok;
      }
      case 'resend': {
        const id = requirePositional(rest, 'webhook id');
        const deliveryId = requirePositional(rest.slice(1), 'delivery id');
        const d = await clientFrom(values, io).resendDelivery(id, deliveryId);
        if (json) printJson(io, d);
        else io.stdout(`Delivery ${deliveryId} queued again (attempts reset).\n`);
        return EXIT.ok;
      }
      case undefined:
        throw new UsageError('missing subcommand: add, list, remove, test, deliveries or resend');
      default:
        throw new UsageError(`unknown subcommand '${sub}': add, list, remove, test, deliveries or resend`);
    }
  },
};
