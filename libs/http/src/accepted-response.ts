import { z } from 'zod';

/** 202 answer of every control endpoint (goodbye, kill, resume, thresholds): the event was appended to the log. */
export const AcceptedEventResponse = z.object({
  accepted: z.literal(true),
  agentId: z.string().optional(),
  /** Id of the appended event; it shows up in the agent's transitions once the detector has folded it. */
  event: z.string(),
});
/** Accepted-event answer. */
export type AcceptedEventResponse = z.infer<typeof AcceptedEventResponse>;
