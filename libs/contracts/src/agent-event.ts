import { z } from 'zod';
import { AgentForgottenEvent } from './events/agent-forgotten.ts';
import { AgentKilledEvent } from './events/agent-killed.ts';
import { AgentResumedEvent } from './events/agent-resumed.ts';
import { AgentStoppedEvent } from './events/agent-stopped.ts';
import { HeartbeatEvent } from './events/heartbeat.ts';
import { RetentionSetEvent } from './events/retention-set.ts';
import { ThresholdsSetEvent } from './events/thresholds-set.ts';
import { TickEvent } from './events/tick.ts';

/** Everything that travels on the `agent-events` topic: the detector's input. */
export const AgentEvent = z.discriminatedUnion('type', [
  HeartbeatEvent,
  TickEvent,
  AgentKilledEvent,
  AgentResumedEvent,
  AgentStoppedEvent,
  ThresholdsSetEvent,
  AgentForgottenEvent,
  RetentionSetEvent,
]);
/** An event on the `agent-events` topic. */
export type AgentEvent = z.infer<typeof AgentEvent>;
