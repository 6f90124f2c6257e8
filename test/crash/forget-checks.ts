import { agentStreamName } from '@vigil/contracts';
import type { EventLog } from '@vigil/log';
import type { EventStore, ReadModel } from '@vigil/store';
import { expect } from 'vitest';
import type { ForgetLog } from './forget-log.ts';

/** The projector's consumer groups for a topic prefix (as `vigil serve projector` names them). */
export const PROJECTOR_GROUPS = (prefix: string): { events: string; transitions: string } => ({
  events: `${prefix}projector-events`,
  transitions: `${prefix}projector-transitions`,
});

/** Forgotten agents whose first late event `group` has already committed past (read before now). */
export async function lateEventsAlreadyRead(log: EventLog, group: string, topic: string, written: ForgetLog): Promise<string[]> {
  const read: string[] = [];
  for (const f of written.forgotten) {
    const committed = (await log.committedOffset(group, topic, f.partition)) ?? 0;
    if (committed > f.firstLifecycleOffset) read.push(f.agentId);
  }
  return read;
}

/**
 * Every forgotten agent is gone from the event store (its stream reads empty: no late kill, resume, goodbye or
 * thresholds started it again) and from the read model, no tombstone is left, and every other agent is there.
 */
export async function expectForgottenStayForgotten(store: EventStore, readModel: ReadModel, written: ForgetLog): Promise<void> {
  const tenant = written.forgotten[0]!.tenant;
  const streams = Object.fromEntries(
    await Promise.all(written.forgotten.map(async (f) => [f.agentId, (await store.readStream(agentStreamName(f.tenant, f.agentId))).map((e) => e.type)] as const)),
  );
  expect(streams).toEqual(Object.fromEntries(written.forgotten.map((f) => [f.agentId, []])));
  const rows = await Promise.all(written.forgotten.map((f) => readModel.getAgent(f.tenant, f.agentId)));
  expect(rows.filter((r) => r !== null).map((r) => r!.agentId)).toEqual([]);
  expect(await readModel.tombstones()).toEqual([]);
  expect((await readModel.fleetSummary(tenant)).total).toBe(written.kept.length);
  const sample = written.kept[written.kept.length - 1]!;
  expect((await store.readStream(agentStreamName(tenant, sample))).map((e) => e.type)).toContain('status-transitioned');
}
