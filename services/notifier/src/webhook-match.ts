import type { WebhookRecord } from '@vigil/webhooks';
import { eventNamesOf, isFailure, type NotificationBody } from './notification.ts';

/**
 * Whether a webhook gets a notification: it asked for one of the notification's event names, and it existed when the
 * event was detected (a new webhook is not told of the past). PagerDuty webhooks also get the resolve of every
 * incident they could have opened (a recovery from a status they asked for, a flapping cleared, a group recovered),
 * whether or not they asked for `recovered`, so no incident stays open.
 */
export function webhookWants(webhook: WebhookRecord, body: NotificationBody, detectedAtMs: number): boolean {
  if (body.type === 'webhook.test' || body.data.tenant !== webhook.tenant || webhook.createdAt > detectedAtMs) return false;
  const wants = new Set<string>(webhook.events);
  if (eventNamesOf(body).some((e) => wants.has(e))) return true;
  if (webhook.format !== 'pagerduty') return false;
  switch (body.type) {
    case 'agent.recovered':
    case 'agent.withdrawn':
      return isFailure(body.data.from) && wants.has(body.data.from);
    case 'agent.flapping-cleared':
      return wants.has('flapping');
    case 'agents.group-recovered':
      return webhook.events.some(isFailure);
    default:
      return false;
  }
}
