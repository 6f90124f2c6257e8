import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';
import { IsoTimestamp } from '../primitives.ts';

/** One unit of work an agent reports with a beat: did it succeed, how long, what did it cost. */
export const MetricSample = z.strictObject({
  success: z.boolean(),
  latencyMs: z.number().nonnegative().max(86_400_000).optional(),
  costUsd: z.number().nonnegative().max(1_000_000).optional(),
});
/** A metric sample carried by a heartbeat. */
export type MetricSample = z.infer<typeof MetricSample>;

/** Work progress: how many items completed so far (monotonic per instance) and how many are in flight. */
export const Progress = z.strictObject({
  completed: z.number().int().nonnegative(),
  inFlight: z.number().int().nonnegative(),
});
/** Progress carried by a heartbeat, used to detect stalled agents. */
export type Progress = z.infer<typeof Progress>;

/** Delay of the agent's event loop since its previous beat, in ms (Node's `perf_hooks.monitorEventLoopDelay`). */
export const EventLoopDelay = z.strictObject({
  p50: z.number().nonnegative().max(86_400_000),
  p99: z.number().nonnegative().max(86_400_000),
  max: z.number().nonnegative().max(86_400_000),
});
/** Event-loop delay reported with a beat: a busy loop starves timers, so beats arrive late before they stop. */
export type EventLoopDelay = z.infer<typeof EventLoopDelay>;

/** The payload of a heartbeat. `receivedAt` (set by ingest) is its event time; `sentAt` is for skew diagnostics only. */
export const HeartbeatData = z.strictObject({
  instanceId: z.string().min(1).max(128),
  intervalSeconds: z.number().positive().max(86_400),
  /**
   * Sequence number of the beat within its instance (the SDKs count from 0). A beat whose instance already sent a
   * seq at least as high is a repeat (a retry of a beat that was stored after all) and is dropped, metrics and all.
   * Beats without one are never taken for repeats.
   */
  seq: z.number().int().nonnegative().optional(),
  sentAt: IsoTimestamp,
  receivedAt: IsoTimestamp,
  metrics: z.array(MetricSample).max(10_000).optional(),
  progress: Progress.optional(),
  host: z.string().max(255).optional(),
  pid: z.number().int().nonnegative().optional(),
  version: z.string().max(64).optional(),
  labels: z.record(z.string().max(64), z.string().max(256)).optional(),
  eventLoopDelayMs: EventLoopDelay.optional(),
});
/** Heartbeat payload. */
export type HeartbeatData = z.infer<typeof HeartbeatData>;

/** An agent is alive: sent every `intervalSeconds` by the SDK, or written to the log by any producer. */
export const HeartbeatEvent = AgentEnvelope.extend({
  type: z.literal('heartbeat'),
  data: HeartbeatData,
});
/** Heartbeat event. */
export type HeartbeatEvent = z.infer<typeof HeartbeatEvent>;
