import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** An operator resumed a killed agent: it takes the status its beats justify. */
export const AgentResumedEvent = AgentEnvelope.extend({
  type: z.literal('agent-resumed'),
  data: z.strictObject({ by: z.string().min(1).max(128), reason: z.string().max(1024).optional() }),
});
/** Agent resumed event. */
export type AgentResumedEvent = z.infer<typeof AgentResumedEvent>;
