import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** A beat came from a new `instanceId`: the agent restarted. `flapping` is set after too many restarts too quickly. */
export const AgentRestartedEvent = AgentEnvelope.extend({
  type: z.literal('agent-restarted'),
  data: z.strictObject({
    previousInstanceId: z.string(),
    instanceId: z.string(),
    restarts: z.number().int().nonnegative(),
    recentRestarts: z.number().int().nonnegative(),
    flapping: z.boolean(),
  }),
});
/** Agent restarted event. */
export type AgentRestartedEvent = z.infer<typeof AgentRestartedEvent>;
