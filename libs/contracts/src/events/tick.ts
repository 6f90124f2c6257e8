import { z } from 'zod';
import { BaseEnvelope } from '../envelope.ts';

/**
 * The platform's clock, written into every partition once a second: the detector's only source of time, so that a
 * replay reproduces a live run and a silent fleet is still convicted.
 */
export const TickEvent = BaseEnvelope.extend({
  type: z.literal('tick'),
  data: z.strictObject({ partition: z.number().int().nonnegative() }),
});
/** Tick event. */
export type TickEvent = z.infer<typeof TickEvent>;
