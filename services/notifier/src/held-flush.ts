import type { HeldNotification, NotifierTx, WebhookRecord } from '@vigil/webhooks';
import type { FlushPlan } from './grouper.ts';
import { dashboardUrl, fanOut } from './intake.ts';
import type { AgentStatusData, FailureStatus, NotificationBody, StoredNotification } from './notification.ts';

/** How many agent ids a grouped notification lists; the count says how many there are in all. */
export const GROUP_LIST_LIMIT = 20;

function parseHeld(h: HeldNotification): StoredNotification {
  return JSON.parse(h.payload) as StoredNotification;
}

/** Labels that every agent has with the same value. */
export function sharedLabels(all: readonly Readonly<Record<string, string>>[]): Record<string, string> {
  const [first, ...rest] = all;
  if (first === undefined) return {};
  return Object.fromEntries(Object.entries(first).filter(([k, v]) => rest.every((l) => l[k] === v)));
}

/** The grouped notification for the held failures of one tenant. */
export function groupBody(groupId: string, items: readonly StoredNotification[], publicUrl: string): NotificationBody {
  const data = items.map((n) => n.body.data as AgentStatusData);
  const statuses: Partial<Record<FailureStatus, number>> = {};
  for (const d of data) statuses[d.status as FailureStatus] = (statuses[d.status as FailureStatus] ?? 0) + 1;
  const firstDetectedAt = data.map((d) => d.detectedAt).sort()[0] ?? new Date(0).toISOString();
  const agentIds = [...new Set(data.map((d) => d.agentId))];
  return {
    type: 'agents.grouped',
    timestamp: firstDetectedAt,
    data: {
      tenant: data[0]?.tenant ?? '',
      groupId,
      count: agentIds.length,
      agentIds: agentIds.slice(0, GROUP_LIST_LIMIT),
      statuses,
      sharedLabels: sharedLabels(data.map((d) => d.labels)),
      firstDetectedAt,
      dashboardUrl: dashboardUrl(publicUrl),
    },
  };
}

/**
 * Carries out a flush plan in the transaction: releases the held failures and adds their deliveries, one per failure
 * and webhook, or one grouped notification per webhook (remembering the group's members, so that the group's
 * recovery can be told when the last of them is healthy again). Returns the deliveries added.
 */
export function applyFlush(tx: NotifierTx, plan: Exclude<FlushPlan, { kind: 'wait' }>, webhooks: readonly WebhookRecord[], publicUrl: string, now: number): number {
  tx.release(plan.items.map((h) => h.id));
  const stored = plan.items.map(parseHeld);
  let added = 0;
  if (plan.kind === 'individual') {
    for (const n of stored) {
      const d = n.body.data as AgentStatusData;
      added += fanOut(tx, webhooks, n, Date.parse(d.detectedAt), d.agentId, now);
    }
    return added;
  }
  const body = groupBody(plan.groupId, stored, publicUrl);
  const eventId = `${plan.groupId}:${plan.items[0]?.id ?? ''}`;
  const detectedAt = Math.min(...stored.map((n) => Date.parse((n.body.data as AgentStatusData).detectedAt)));
  added += fanOut(tx, webhooks, { event: eventId, body }, detectedAt, null, now);
  tx.addGroupMembers(plan.groupId, body.data.tenant, stored.map((n) => (n.body.data as AgentStatusData).agentId));
  return added;
}
