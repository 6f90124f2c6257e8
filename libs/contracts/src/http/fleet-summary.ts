import { z } from 'zod';

/** Counts per status for one tenant (`GET /v1/fleet/summary`). */
export const FleetSummary = z.object({
  tenant: z.string(),
  total: z.number().int().nonnegative(),
  healthy: z.number().int().nonnegative(),
  degraded: z.number().int().nonnegative(),
  unreachable: z.number().int().nonnegative(),
  killed: z.number().int().nonnegative(),
  stopped: z.number().int().nonnegative(),
  stalled: z.number().int().nonnegative(),
  deliverable: z.number().int().nonnegative(),
  flapping: z.number().int().nonnegative(),
});
/** Fleet summary. */
export type FleetSummary = z.infer<typeof FleetSummary>;
