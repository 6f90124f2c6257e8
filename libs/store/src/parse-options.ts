import type { z } from 'zod';
import { InvalidStoreOptionsError } from './errors.ts';

/** Validates adapter options once, at construction, turning zod's error into one that names the field. */
export function parseStoreOptions<S extends z.ZodType>(schema: S, input: unknown, what: string): z.output<S> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  const message = issue ? issue.message : 'invalid';
  throw new InvalidStoreOptionsError(`${what} options are invalid at "${field}": ${message}`, field, parsed.error);
}
