import { z } from 'zod';
import { BaseEnvelope } from '../envelope.ts';
import { AgentId, DurationMs, TenantId } from '../primitives.ts';

/** Threshold overrides; `null` clears an override so the next level (tenant, platform, interval) applies again. */
export const Thresholds = z.strictObject({
  degradedAfterMs: DurationMs.nullable().optional(),
  unreachableAfterMs: DurationMs.nullable().optional(),
  stalledAfterMs: DurationMs.nullable().optional(),
});
/** Threshold override values. */
export type Thresholds = z.infer<typeof Thresholds>;

/**
 * Thresholds set for one agent (`agentId` present, keyed like its other events) or for a whole tenant
 * (`agentId` absent, written to every partition like a tick).
 */
export const ThresholdsSetEvent = BaseEnvelope.extend({
  type: z.literal('thresholds-set'),
  tenant: TenantId,
  agentId: AgentId.optional(),
  data: Thresholds,
});
/** Thresholds set event. */
export type ThresholdsSetEvent = z.infer<typeof ThresholdsSetEvent>;
