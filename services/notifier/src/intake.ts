import { createHash } from 'node:crypto';
import type { DetectorOutputEvent, StatusTransitionedEvent } from '@vigil/contracts';
import type { NotifierTx, WebhookRecord } from '@vigil/webhooks';
import { isFailure, type NotificationBody, type StoredNotification } from './notification.ts';
import { webhookWants } from './webhook-match.ts';

/** What taking in needs besides the transaction. */
export interface IntakeContext {
  readonly webhooks: readonly WebhookRecord[];
  /** Epoch ms, the time failures start being held. */
  readonly now: number;
  readonly publicUrl: string;
}

/** Counts of what one batch produced, for logs and metrics. */
export interface IntakeResult {
  held: number;
  deliveries: number;
}

/** A short id derived from its parts, so a re-taken event never produces a second row. */
export function derivedId(prefix: string, ...parts: string[]): string {
  return `${prefix}_${createHash('sha256').update(parts.join('\u0000')).digest('base64url').slice(0, 26)}`;
}

/** The dashboard page of an agent (or of the fleet). */
export function dashboardUrl(publicUrl: string, agentId?: string): string {
  return agentId === undefined ? `${publicUrl}/dashboard` : `${publicUrl}/dashboard#agent=${encodeURIComponent(agentId)}`;
}

/** Adds one delivery per webhook that wants the notification. */
export function fanOut(tx: NotifierTx, webhooks: readonly WebhookRecord[], notification: StoredNotification, detectedAtMs: number, agentId: string | null, createdAt: number): number {
  const payload = JSON.stringify(notification);
  let n = 0;
  for (const w of webhooks) {
    if (!webhookWants(w, notification.body, detectedAtMs)) continue;
    tx.addDelivery({ id: derivedId('msg', w.id, notification.event, notification.body.type), webhookId: w.id, tenant: w.tenant, type: notification.body.type, agentId, payload, createdAt });
    n++;
  }
  return n;
}

function statusBody(e: StatusTransitionedEvent, tx: NotifierTx, publicUrl: string, type: NotificationBody['type'] & `agent.${string}`): NotificationBody {
  const d = e.data;
  return {
    type: type as 'agent.degraded',
    timestamp: d.detectedAt,
    data: {
      tenant: e.tenant,
      agentId: e.agentId,
      from: d.from,
      status: d.to,
      reason: d.reason,
      at: d.at,
      detectedAt: d.detectedAt,
      lastHeartbeatAt: d.lastHeartbeatAt,
      labels: tx.labelsOf(e.tenant, e.agentId),
      dashboardUrl: dashboardUrl(publicUrl, e.agentId),
      transition: e,
    },
  };
}

/**
 * Takes one event of the status-transitions topic in, inside the transaction that also moves the checkpoint: a
 * failure (to degraded, unreachable, stalled) is held for grouping; a recovery (back to healthy from a failure), a
 * flapping flag newly set, and a flapping flag cleared become deliveries at once. Killed, stopped, an agent's first
 * `unknown → healthy` and a return to healthy from killed or stopped notify nobody. Labels come from the agent's
 * registration; the flapping edge and open groups are folded here, so a replayed batch changes nothing twice.
 */
export function takeIn(event: DetectorOutputEvent, tx: NotifierTx, ctx: IntakeContext, result: IntakeResult): void {
  switch (event.type) {
    case 'agent-registered':
      if (event.data.labels !== undefined) tx.setLabels(event.tenant, event.agentId, event.data.labels);
      return;
    case 'status-transitioned': {
      const { from, to } = event.data;
      if (isFailure(to)) {
        const body = statusBody(event, tx, ctx.publicUrl, `agent.${to}`);
        const stored: StoredNotification = { event: event.id, body };
        tx.hold({ id: derivedId('ntf', event.id), tenant: event.tenant, type: body.type, agentId: event.agentId, heldAt: ctx.now, payload: JSON.stringify(stored) });
        result.held++;
        return;
      }
      if ((to === 'killed' || to === 'stopped') && isFailure(from)) {
        // Not a recovery and no one is told; but an incident a PagerDuty webhook opened for it is over.
        if (tx.releaseAgent(event.tenant, event.agentId) > 0) return; // its failure was never sent
        const { wasMember, emptied } = tx.removeGroupMember(event.tenant, event.agentId);
        const detectedAt = Date.parse(event.data.detectedAt);
        if (!wasMember) result.deliveries += fanOut(tx, ctx.webhooks, { event: event.id, body: statusBody(event, tx, ctx.publicUrl, 'agent.withdrawn') }, detectedAt, event.agentId, ctx.now);
        for (const groupId of emptied) {
          const body: NotificationBody = { type: 'agents.group-recovered', timestamp: event.data.detectedAt, data: { tenant: event.tenant, groupId, dashboardUrl: dashboardUrl(ctx.publicUrl) } };
          result.deliveries += fanOut(tx, ctx.webhooks, { event: groupId, body }, detectedAt, null, ctx.now);
        }
        return;
      }
      if (to === 'healthy' && isFailure(from)) {
        // A failure still held (it recovered within the group wait) is dropped unsent: nobody needs to hear of either.
        if (tx.releaseAgent(event.tenant, event.agentId) > 0) return;
        const detectedAt = Date.parse(event.data.detectedAt);
        // An agent whose failure went out in a group recovers with its group: one notification when the last is back.
        const { wasMember, emptied } = tx.removeGroupMember(event.tenant, event.agentId);
        if (!wasMember) result.deliveries += fanOut(tx, ctx.webhooks, { event: event.id, body: statusBody(event, tx, ctx.publicUrl, 'agent.recovered') }, detectedAt, event.agentId, ctx.now);
        for (const groupId of emptied) {
          const body: NotificationBody = { type: 'agents.group-recovered', timestamp: event.data.detectedAt, data: { tenant: event.tenant, groupId, dashboardUrl: dashboardUrl(ctx.publicUrl) } };
          result.deliveries += fanOut(tx, ctx.webhooks, { event: groupId, body }, detectedAt, null, ctx.now);
        }
      }
      return;
    }
    case 'agent-restarted': {
      // Only the setting edge is decided here: a restart that ends flapping is followed by agent-flapping-cleared.
      if (!event.data.flapping || tx.setFlapping(event.tenant, event.agentId, true)) return;
      const body: NotificationBody = {
        type: 'agent.flapping',
        timestamp: event.time,
        data: {
          tenant: event.tenant,
          agentId: event.agentId,
          restarts: event.data.restarts,
          recentRestarts: event.data.recentRestarts,
          labels: tx.labelsOf(event.tenant, event.agentId),
          dashboardUrl: dashboardUrl(ctx.publicUrl, event.agentId),
          event,
        },
      };
      result.deliveries += fanOut(tx, ctx.webhooks, { event: event.id, body }, Date.parse(event.time), event.agentId, ctx.now);
      return;
    }
    case 'agent-flapping-cleared': {
      if (!tx.setFlapping(event.tenant, event.agentId, false)) return;
      const body: NotificationBody = {
        type: 'agent.flapping-cleared',
        timestamp: event.time,
        data: {
          tenant: event.tenant,
          agentId: event.agentId,
          restarts: null,
          recentRestarts: event.data.recentRestarts,
          labels: tx.labelsOf(event.tenant, event.agentId),
          dashboardUrl: dashboardUrl(ctx.publicUrl, event.agentId),
          event,
        },
      };
      result.deliveries += fanOut(tx, ctx.webhooks, { event: event.id, body }, Date.parse(event.time), event.agentId, ctx.now);
      return;
    }
    case 'metric-summary':
      return;
  }
}
