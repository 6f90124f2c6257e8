import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** The detector saw an agent for the first time (lifecycle, stored in the agent's stream). */
export const AgentRegisteredEvent = AgentEnvelope.extend({
  type: z.literal('agent-registered'),
  data: z.strictObject({
    instanceId: z.string(),
    intervalSeconds: z.number().positive(),
    host: z.string().optional(),
    version: z.string().optional(),
    labels: z.record(z.string(), z.string()).optional(),
  }),
});
/** Agent registered event. */
export type AgentRegisteredEvent = z.infer<typeof AgentRegisteredEvent>;
