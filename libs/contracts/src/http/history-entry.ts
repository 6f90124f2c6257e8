import { z } from 'zod';
import { IsoTimestamp } from '../primitives.ts';

/**
 * One entry of an agent's history (`GET /v1/agents/:id/history`), as its event-store stream holds it: a lifecycle
 * fact (registered, restarted, killed, resumed, stopped, thresholds set), a status transition or a metric summary.
 * `revision` is its place in the stream; `at` the event's time; `data` the event's data as on the log.
 */
export const HistoryEntry = z.object({
  revision: z.number().int().nonnegative(),
  type: z.string(),
  at: IsoTimestamp,
  data: z.record(z.string(), z.unknown()),
});
/** A history entry. */
export type HistoryEntry = z.infer<typeof HistoryEntry>;
