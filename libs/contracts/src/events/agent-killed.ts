import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** An operator killed the agent: it stays killed, whatever its beats say, until resumed. */
export const AgentKilledEvent = AgentEnvelope.extend({
  type: z.literal('agent-killed'),
  data: z.strictObject({ by: z.string().min(1).max(128), reason: z.string().max(1024) }),
});
/** Agent killed event. */
export type AgentKilledEvent = z.infer<typeof AgentKilledEvent>;
