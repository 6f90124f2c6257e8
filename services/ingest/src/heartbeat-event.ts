import { CONTRACT_VERSION, type HeartbeatEvent, type HeartbeatInput } from '@vigil/contracts';

/** `instanceId` of a beat that names none: one instance per agent. */
export const DEFAULT_INSTANCE_ID = 'default';
/** `intervalSeconds` of a beat that declares none (the SDK's default). */
export const DEFAULT_INTERVAL_SECONDS = 30;

/** Builds the log event of one posted beat: the platform's receive time is its event time (ARCHITECTURE.md, Time). */
export function toHeartbeatEvent(input: HeartbeatInput, context: { tenant: string; id: string; receivedAt: string }): HeartbeatEvent {
  const { agentId, ...rest } = input;
  return {
    type: 'heartbeat',
    version: CONTRACT_VERSION,
    id: context.id,
    time: context.receivedAt,
    tenant: context.tenant,
    agentId,
    data: {
      ...rest,
      instanceId: rest.instanceId ?? DEFAULT_INSTANCE_ID,
      intervalSeconds: rest.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
      sentAt: rest.sentAt ?? context.receivedAt,
      receivedAt: context.receivedAt,
    },
  };
}
