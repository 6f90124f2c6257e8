import { SEVERITY, isFailure, type NotificationBody, type Severity } from '../notification.ts';

/** Severity of a notification; recoveries and tests are `info`. A group is as severe as its worst member. */
export function severityOf(body: NotificationBody): Severity {
  switch (body.type) {
    case 'agent.degraded':
    case 'agent.unreachable':
    case 'agent.stalled':
      return isFailure(body.data.status) ? SEVERITY[body.data.status] : 'warning';
    case 'agent.flapping':
      return SEVERITY.flapping;
    case 'agents.grouped':
      return body.data.statuses.unreachable ? 'critical' : body.data.statuses.stalled ? 'error' : 'warning';
    default:
      return 'info';
  }
}

/** Whether the notification ends a problem (PagerDuty `resolve`). */
export function isResolution(body: NotificationBody): boolean {
  return body.type === 'agent.recovered' || body.type === 'agent.withdrawn' || body.type === 'agent.flapping-cleared' || body.type === 'agents.group-recovered';
}

/** One line for people: what happened to whom. */
export function summaryOf(body: NotificationBody): string {
  const d = body.data;
  switch (body.type) {
    case 'agent.degraded':
    case 'agent.unreachable':
    case 'agent.stalled':
      return `Agent ${body.data.agentId} (tenant ${d.tenant}) is ${body.data.status}: ${body.data.reason}`;
    case 'agent.recovered':
      return `Agent ${body.data.agentId} (tenant ${d.tenant}) recovered: ${body.data.from} → healthy`;
    case 'agent.withdrawn':
      return `Agent ${body.data.agentId} (tenant ${d.tenant}) was ${body.data.status} by an operator while ${body.data.from}`;
    case 'agent.flapping':
      return `Agent ${body.data.agentId} (tenant ${d.tenant}) is flapping: ${body.data.recentRestarts} restarts in the flapping window`;
    case 'agent.flapping-cleared':
      return `Agent ${body.data.agentId} (tenant ${d.tenant}) stopped flapping`;
    case 'agents.grouped': {
      const statuses = Object.entries(body.data.statuses)
        .map(([s, n]) => `${n} ${s}`)
        .join(', ');
      const labels = Object.entries(body.data.sharedLabels)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ');
      return `${body.data.count} agents of tenant ${d.tenant} failing together (${statuses})${labels === '' ? '' : `, all labelled ${labels}`}`;
    }
    case 'agents.group-recovered':
      return `Every agent of group ${body.data.groupId} (tenant ${d.tenant}) is healthy again`;
    case 'webhook.test':
      return `Test delivery to webhook ${body.data.webhookId} (tenant ${d.tenant}): ${body.data.message}`;
  }
}
