import type { AgentStatus, FromStatus, WebhookEventName } from '@vigil/contracts';

/** The failures that notify (and are grouped): an agent gone quiet, unreachable or stuck. */
export const FAILURE_STATUSES = ['degraded', 'unreachable', 'stalled'] as const;
/** A failure status. */
export type FailureStatus = (typeof FAILURE_STATUSES)[number];

/** Whether a status is one that notifies. */
export function isFailure(status: FromStatus | AgentStatus | WebhookEventName): status is FailureStatus {
  return (FAILURE_STATUSES as readonly string[]).includes(status);
}

/** Severity of a notification, as Slack colours and PagerDuty severities see it. */
export type Severity = 'critical' | 'error' | 'warning' | 'info';

/** Severity of each failure: unreachable pages, stalled is an error, degraded and flapping warn. */
export const SEVERITY: Readonly<Record<FailureStatus | 'flapping', Severity>> = Object.freeze({ unreachable: 'critical', stalled: 'error', degraded: 'warning', flapping: 'warning' });

/** One agent's failure or recovery. */
export interface AgentStatusData {
  readonly tenant: string;
  readonly agentId: string;
  readonly from: FromStatus;
  readonly status: AgentStatus;
  readonly reason: string;
  readonly at: string;
  readonly detectedAt: string;
  readonly lastHeartbeatAt: string | null;
  readonly labels: Readonly<Record<string, string>>;
  readonly dashboardUrl: string;
  /** The transition exactly as on the status-transitions topic. */
  readonly transition: unknown;
}

/** An agent's flapping flag set or cleared. */
export interface AgentFlappingData {
  readonly tenant: string;
  readonly agentId: string;
  readonly restarts: number | null;
  readonly recentRestarts: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly dashboardUrl: string;
  readonly event: unknown;
}

/** Many agents of one tenant failing within one grouping window. */
export interface GroupData {
  readonly tenant: string;
  readonly groupId: string;
  readonly count: number;
  /** The first (at most 20) agent ids, in the order they failed. */
  readonly agentIds: readonly string[];
  readonly statuses: Readonly<Partial<Record<FailureStatus, number>>>;
  /** Labels every agent of the group has, with the same value. */
  readonly sharedLabels: Readonly<Record<string, string>>;
  readonly firstDetectedAt: string;
  readonly dashboardUrl: string;
}

/** Every agent of a group is healthy again. */
export interface GroupRecoveredData {
  readonly tenant: string;
  readonly groupId: string;
  readonly dashboardUrl: string;
}

/** A test delivery asked for by an operator. */
export interface TestData {
  readonly tenant: string;
  readonly webhookId: string;
  readonly message: string;
}

/** A notification, format-neutral: the `json` format sends exactly `{type, timestamp, data}` (Standard Webhooks' shape). */
export type NotificationBody =
  /** `agent.withdrawn`: killed or stopped while failing; tells no one, only resolves a PagerDuty incident it had opened. */
  | { readonly type: `agent.${FailureStatus}` | 'agent.recovered' | 'agent.withdrawn'; readonly timestamp: string; readonly data: AgentStatusData }
  | { readonly type: 'agent.flapping' | 'agent.flapping-cleared'; readonly timestamp: string; readonly data: AgentFlappingData }
  | { readonly type: 'agents.grouped'; readonly timestamp: string; readonly data: GroupData }
  | { readonly type: 'agents.group-recovered'; readonly timestamp: string; readonly data: GroupRecoveredData }
  | { readonly type: 'webhook.test'; readonly timestamp: string; readonly data: TestData };

/** What a delivery stores: the body and the id of the event behind it (the `Vigil-Event` header). */
export interface StoredNotification {
  readonly event: string;
  readonly body: NotificationBody;
}

/** The webhook event names a notification answers to (recoveries also go to PagerDuty webhooks to resolve, see `webhookWants`). */
export function eventNamesOf(body: NotificationBody): readonly WebhookEventName[] {
  switch (body.type) {
    case 'agent.degraded':
      return ['degraded'];
    case 'agent.unreachable':
      return ['unreachable'];
    case 'agent.stalled':
      return ['stalled'];
    case 'agent.flapping':
      return ['flapping'];
    case 'agents.grouped':
      return Object.keys(body.data.statuses) as FailureStatus[];
    case 'agent.recovered':
    case 'agent.flapping-cleared':
    case 'agents.group-recovered':
      return ['recovered'];
    case 'agent.withdrawn':
    case 'webhook.test':
      return [];
  }
}
