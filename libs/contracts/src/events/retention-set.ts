import { z } from 'zod';
import { BaseEnvelope } from '../envelope.ts';
import { TenantId } from '../primitives.ts';

/** Longest retention accepted: ten years, in milliseconds. */
export const MAX_FORGET_AFTER_MS = 3650 * 24 * 3600 * 1000;

/**
 * A tenant's retention (`PUT /v1/retention`): agents `stopped` or `unreachable` for at least `forgetAfterMs` are
 * forgotten by the detector; `null` restores the platform default (7 days). Written to every partition, like a
 * tick, since each partition's detector decides for its own agents.
 */
export const RetentionSetEvent = BaseEnvelope.extend({
  type: z.literal('retention-set'),
  tenant: TenantId,
  /** Never present: retention is tenant-wide (declared so code that reads `agentId` off any input event still can). */
  agentId: z.never().optional(),
  data: z.strictObject({ forgetAfterMs: z.number().int().positive().max(MAX_FORGET_AFTER_MS).nullable() }),
});
/** Retention set event. */
export type RetentionSetEvent = z.infer<typeof RetentionSetEvent>;
