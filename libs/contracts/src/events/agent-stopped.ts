import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';

/** The agent said goodbye (graceful shutdown): not a failure, never alerts; a later beat makes it healthy again. */
export const AgentStoppedEvent = AgentEnvelope.extend({
  type: z.literal('agent-stopped'),
  data: z.strictObject({ instanceId: z.string().min(1).max(128).optional(), reason: z.string().max(1024).optional() }),
});
/** Agent stopped event. */
export type AgentStoppedEvent = z.infer<typeof AgentStoppedEvent>;
