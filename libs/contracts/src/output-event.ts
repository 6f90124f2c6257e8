import { z } from 'zod';
import { AgentFlappingClearedEvent } from './events/agent-flapping-cleared.ts';
import { AgentForgottenFactEvent } from './events/agent-forgotten-fact.ts';
import { AgentRegisteredEvent } from './events/agent-registered.ts';
import { AgentRestartedEvent } from './events/agent-restarted.ts';
import { MetricSummaryEvent } from './events/metric-summary.ts';
import { StatusTransitionedEvent } from './events/status-transitioned.ts';

/** Everything the detector writes to the `status-transitions` topic; consumers switch on `type`. */
export const DetectorOutputEvent = z.discriminatedUnion('type', [
  StatusTransitionedEvent,
  MetricSummaryEvent,
  AgentRegisteredEvent,
  AgentRestartedEvent,
  AgentFlappingClearedEvent,
  AgentForgottenFactEvent,
]);
/** An event on the `status-transitions` topic. */
export type DetectorOutputEvent = z.infer<typeof DetectorOutputEvent>;
