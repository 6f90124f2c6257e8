import { CONTRACT_VERSION, type HeartbeatData, type HeartbeatEvent, type HeartbeatInput } from '@vigil/contracts';

/** `instanceId` of a beat that names none: one instance per agent. */
export const DEFAULT_INSTANCE_ID = 'default';
/** `intervalSeconds` of a beat that declares none (the SDK's default). */
export const DEFAULT_INTERVAL_SECONDS = 30;

/** Builds the log event of one posted beat: the platform's receive time is its event time (ARCHITECTURE.md, Time). */
export function toHeartbeatEvent(input: HeartbeatInput, context: { tenant: string; id: string; receivedAt: string }): HeartbeatEvent {
  const { receivedAt } = context;
  // Every field named, in the schema's order, absent ones as undefined (JSON.stringify leaves them out): one object
  // shape for every beat. Rest and spread built a shape per combination of fields and cost more than the route's
  // validation. `satisfies` makes a field added to HeartbeatData a compile error here until it is copied.
  const data = {
    instanceId: input.instanceId ?? DEFAULT_INSTANCE_ID,
    intervalSeconds: input.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
    seq: input.seq,
    sentAt: input.sentAt ?? receivedAt,
    receivedAt,
    metrics: input.metrics,
    progress: input.progress,
    host: input.host,
    pid: input.pid,
    version: input.version,
    labels: input.labels,
    eventLoopDelayMs: input.eventLoopDelayMs,
  } satisfies { [K in keyof Required<HeartbeatData>]: HeartbeatData[K] };
  // The envelope in the schema's order too, so the JSON is field for field what decoding it gives back (agentEventOfRecord).
  return { version: CONTRACT_VERSION, id: context.id, time: receivedAt, tenant: context.tenant, agentId: input.agentId, type: 'heartbeat', data };
}
