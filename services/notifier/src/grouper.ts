import type { HeldNotification } from '@vigil/webhooks';

/** Settings of grouping. */
export interface GroupingPolicy {
  readonly groupThreshold: number;
  readonly groupWindowMs: number;
  readonly groupWaitMs: number;
}

/** A tenant's grouping window: when it opened, how many failures it has seen, and its group once it has one. */
export interface GroupWindow {
  readonly start: number;
  readonly count: number;
  readonly groupId: string | null;
}

/** What to do with a tenant's held failures now. */
export type FlushPlan =
  | { readonly kind: 'wait' }
  | { readonly kind: 'individual'; readonly items: readonly HeldNotification[]; readonly window: GroupWindow }
  | { readonly kind: 'group'; readonly groupId: string; readonly followUp: boolean; readonly items: readonly HeldNotification[]; readonly window: GroupWindow };

/**
 * Decides, for one tenant's held failures (oldest first), whether to send them now and how. A failure waits
 * `groupWaitMs` after the oldest held one, so failures detected together are decided together. The tenant's window
 * opens with the first failure and lasts `groupWindowMs`: once more than `groupThreshold` failures fell in it, what is
 * held goes out as one grouped notification, and later failures of the same window as one follow-up of the same group
 * (the same PagerDuty incident); below the threshold each goes out on its own. Pure: time and ids are passed in.
 */
export function planFlush(held: readonly HeldNotification[], window: GroupWindow | undefined, now: number, policy: GroupingPolicy, newGroupId: () => string): FlushPlan {
  const oldest = held[0];
  if (oldest === undefined || now < oldest.heldAt + policy.groupWaitMs) return { kind: 'wait' };
  let w: GroupWindow = window === undefined || oldest.heldAt >= window.start + policy.groupWindowMs ? { start: oldest.heldAt, count: 0, groupId: null } : window;
  w = { ...w, count: w.count + held.length };
  if (w.groupId !== null) return { kind: 'group', groupId: w.groupId, followUp: true, items: held, window: w };
  if (w.count > policy.groupThreshold) {
    const groupId = newGroupId();
    return { kind: 'group', groupId, followUp: false, items: held, window: { ...w, groupId } };
  }
  return { kind: 'individual', items: held, window: w };
}
