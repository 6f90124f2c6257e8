import { z } from 'zod';

/** Every list endpoint answers `{items, nextCursor}`; pass `cursor=nextCursor` for the next page (null at the end). */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

/** A page of items. */
export interface Page<T> {
  readonly items: T[];
  readonly nextCursor: string | null;
}

/** Error body of every 4xx/5xx: a stable code, a message for people, the offending field where there is one. */
export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});
/** Error body. */
export type ErrorBody = z.infer<typeof ErrorBody>;
