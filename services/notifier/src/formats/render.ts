import type { WebhookRecord } from '@vigil/webhooks';
import type { NotificationBody } from '../notification.ts';
import { pagerDutyBody } from './pagerduty-body.ts';
import { slackBody } from './slack-body.ts';

/** The HTTP body of a notification for a webhook's format. `json` is `{type, timestamp, data}` as the Standard Webhooks spec shapes payloads. */
export function renderBody(body: NotificationBody, webhook: WebhookRecord): string {
  switch (webhook.format) {
    case 'json':
      return JSON.stringify({ type: body.type, timestamp: body.timestamp, data: body.data });
    case 'slack':
      return JSON.stringify(slackBody(body));
    case 'pagerduty':
      return JSON.stringify(pagerDutyBody(body, webhook.routingKey ?? ''));
  }
}
