import { z } from 'zod';
import { AgentEnvelope } from '../envelope.ts';
import { FromStatus, IsoTimestamp } from '../primitives.ts';

/**
 * The detector forgot an agent: its state is gone, it makes no further transitions, and a later beat brings it back
 * as new (`unknown → healthy`). `cause` says whether an operator asked (`operator`, answering an `agent-forgotten`
 * request) or the tenant's retention expired (`retention`: stopped or unreachable for longer than `forgetAfter`).
 * Written to status-transitions after every other output of the agent's old life, so a consumer that drops the
 * agent here has seen all of it; `lastHeartbeatAt` bounds that life for consumers of the other topic (a beat not
 * newer than it belonged to the forgotten agent).
 */
export const AgentForgottenFactEvent = AgentEnvelope.extend({
  type: z.literal('agent-forgotten'),
  data: z.strictObject({
    cause: z.enum(['operator', 'retention']),
    by: z.string().min(1).max(128),
    reason: z.string().max(1024),
    lastStatus: FromStatus,
    lastHeartbeatAt: IsoTimestamp.nullable(),
  }),
});
/** Agent forgotten fact event. */
export type AgentForgottenFactEvent = z.infer<typeof AgentForgottenFactEvent>;
