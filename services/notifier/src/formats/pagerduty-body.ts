import type { NotificationBody } from '../notification.ts';
import { isResolution, severityOf, summaryOf } from './severity.ts';

/**
 * The incident a notification opens or resolves: one per tenant and agent (`vigil:<tenant>:<agentId>`), one for its
 * flapping (`…:flapping`), one per group (`vigil:<tenant>:group:<groupId>`, follow-ups of a group land in it).
 */
export function dedupKey(body: NotificationBody): string {
  const d = body.data;
  switch (body.type) {
    case 'agents.grouped':
    case 'agents.group-recovered':
      return `vigil:${d.tenant}:group:${body.data.groupId}`;
    case 'agent.flapping':
    case 'agent.flapping-cleared':
      return `vigil:${d.tenant}:${body.data.agentId}:flapping`;
    case 'webhook.test':
      return `vigil:${d.tenant}:test:${body.data.webhookId}`;
    default:
      return `vigil:${d.tenant}:${body.data.agentId}`;
  }
}

/**
 * A PagerDuty Events API v2 event (`POST https://events.pagerduty.com/v2/enqueue`): `trigger` for a failure, a
 * flapping agent or a group, `resolve` (same `dedup_key`) for a recovery; severity mapped (unreachable critical,
 * stalled error, degraded and flapping warning). A test is a `trigger` of severity info on its own key.
 */
export function pagerDutyBody(body: NotificationBody, routingKey: string): Record<string, unknown> {
  const key = dedupKey(body);
  if (isResolution(body)) return { routing_key: routingKey, event_action: 'resolve', dedup_key: key };
  const d = body.data;
  const url = 'dashboardUrl' in d ? d.dashboardUrl : undefined;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key: key,
    payload: {
      summary: summaryOf(body).slice(0, 1024),
      source: 'agentId' in d ? d.agentId : `tenant ${d.tenant}`,
      severity: severityOf(body),
      timestamp: body.timestamp,
      component: 'agentId' in d ? d.agentId : undefined,
      group: d.tenant,
      class: body.type,
      custom_details: d,
    },
    ...(url === undefined ? {} : { links: [{ href: url, text: 'Vigil dashboard' }] }),
  };
}
