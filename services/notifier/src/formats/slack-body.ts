import type { NotificationBody, Severity } from '../notification.ts';
import { GROUP_LIST_LIMIT } from '../held-flush.ts';
import { isResolution, severityOf, summaryOf } from './severity.ts';

/** Attachment colour by severity (Slack's legacy `color`, still the only way to colour a message bar). */
export const SLACK_COLOURS: Readonly<Record<Severity | 'resolved', string>> = Object.freeze({
  critical: '#d40e0d',
  error: '#e8590c',
  warning: '#f2c744',
  info: '#439fe0',
  resolved: '#2eb67d',
});

function link(body: NotificationBody): string | null {
  return 'dashboardUrl' in body.data ? body.data.dashboardUrl : null;
}

/**
 * A Slack incoming-webhook message: `text` (the notification line, also what notifications and old clients show),
 * a section block with the details, and an attachment coloured by severity (green for recoveries).
 */
export function slackBody(body: NotificationBody): Record<string, unknown> {
  const text = summaryOf(body);
  const fields: { type: 'mrkdwn'; text: string }[] = [{ type: 'mrkdwn', text: `*Tenant*\n${body.data.tenant}` }];
  if (body.type === 'agents.grouped') {
    const more = body.data.count - body.data.agentIds.length;
    fields.push({ type: 'mrkdwn', text: `*Agents (${body.data.count})*\n${body.data.agentIds.join(', ')}${more > 0 ? ` and ${more} more` : ''}` });
  } else if ('agentId' in body.data) {
    fields.push({ type: 'mrkdwn', text: `*Agent*\n${body.data.agentId}` });
  }
  if (body.type === 'agent.degraded' || body.type === 'agent.unreachable' || body.type === 'agent.stalled' || body.type === 'agent.recovered') {
    fields.push({ type: 'mrkdwn', text: `*Status*\n${body.data.from} → ${body.data.status}` }, { type: 'mrkdwn', text: `*Detected*\n${body.data.detectedAt}` });
  }
  const url = link(body);
  const blocks: Record<string, unknown>[] = [
    { type: 'section', text: { type: 'mrkdwn', text: `*${text}*` } },
    { type: 'section', fields: fields.slice(0, 10) },
  ];
  if (url !== null) blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: `<${url}|Open in the Vigil dashboard>` }] });
  const colour = isResolution(body) ? SLACK_COLOURS.resolved : SLACK_COLOURS[severityOf(body)];
  return { text, attachments: [{ color: colour, fallback: text, blocks }] };
}

/** Agents a group lists at most (re-exported for docs and tests). */
export const SLACK_GROUP_LIST_LIMIT = GROUP_LIST_LIMIT;
