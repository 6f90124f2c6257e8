import { z } from 'zod';

/**
 * A tenant's effective retention (`GET /v1/retention`): how long its agents may stay `stopped` or `unreachable`
 * before the platform forgets them, and whose setting that is (`tenant`: set with `PUT /v1/retention`; `platform`:
 * the tenant set none, or restored the default).
 */
export const RetentionView = z.object({
  /** The duration in its largest whole unit (`"7d"`, `"36h"`), as `PUT /v1/retention` takes it. */
  forgetAfter: z.string(),
  forgetAfterMs: z.number().int().positive(),
  source: z.enum(['tenant', 'platform']),
});
/** A tenant's effective retention. */
export type RetentionView = z.infer<typeof RetentionView>;
