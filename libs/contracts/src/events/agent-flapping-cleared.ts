import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** A flapping agent has gone a whole flapping window without restarting: the flag is cleared. */
export const AgentFlappingClearedEvent = AgentEnvelope.extend({
  type: z.literal('agent-flapping-cleared'),
  data: z.strictObject({ recentRestarts: z.number().int().nonnegative() }),
});
/** Agent flapping cleared event. */
export type AgentFlappingClearedEvent = z.infer<typeof AgentFlappingClearedEvent>;
