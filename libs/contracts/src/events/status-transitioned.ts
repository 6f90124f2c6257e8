import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';
import { AgentStatus, FromStatus, IsoTimestamp } from '../primitives.ts';

/**
 * An agent changed status. `at` is the exact moment the threshold was crossed (or the event happened), `detectedAt`
 * the window close that noticed it. The envelope `id` is derived from the content, so a re-emission is recognisable.
 */
export const StatusTransitionedEvent = AgentEnvelope.extend({
  type: z.literal('status-transitioned'),
  data: z.strictObject({
    from: FromStatus,
    to: AgentStatus,
    at: IsoTimestamp,
    detectedAt: IsoTimestamp,
    reason: z.string(),
    lastHeartbeatAt: IsoTimestamp.nullable(),
  }),
});
/** Status transition event. */
export type StatusTransitionedEvent = z.infer<typeof StatusTransitionedEvent>;
