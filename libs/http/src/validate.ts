import type { z } from 'zod';
import { ValidationError } from './errors.ts';

type Issue = z.core.$ZodIssue;
type PathKey = PropertyKey;

/** Depth of the deepest first issue in a union branch: the branch that got furthest is the one the client meant. */
function branchDepth(issues: readonly Issue[]): number {
  const first = issues[0];
  if (!first) return -1;
  if (first.code === 'invalid_union') {
    return first.path.length + Math.max(...first.errors.map(branchDepth));
  }
  return first.path.length + (first.code === 'unrecognized_keys' ? 1 : 0);
}

/** Finds the most useful issue: inside unions, the one of the branch that matched furthest. */
function pickIssue(issues: readonly Issue[], prefix: readonly PathKey[]): { issue: Issue; path: PathKey[] } | null {
  const first = issues[0];
  if (!first) return null;
  const path = [...prefix, ...first.path];
  if (first.code === 'invalid_union' && first.errors.length > 0) {
    let best: readonly Issue[] = first.errors[0] ?? [];
    for (const branch of first.errors) if (branchDepth(branch) > branchDepth(best)) best = branch;
    // Only a branch that got inside the value says more than the union's own message (`"x" is not a duration…`).
    if (branchDepth(best) > 0) return pickIssue(best, path) ?? { issue: first, path };
  }
  return { issue: first, path };
}

/** Describes a zod error as the offending field (dotted path, e.g. `heartbeats.3.agentId`) and a readable message. */
export function describeZodError(error: z.core.$ZodError, prefix: readonly PathKey[] = []): { field: string; message: string } {
  const picked = pickIssue(error.issues, prefix);
  if (!picked) return { field: prefix.map(String).join('.'), message: 'invalid input' };
  const { issue } = picked;
  let path = picked.path;
  let message = issue.message;
  if (issue.code === 'unrecognized_keys') {
    path = [...path, issue.keys[0] ?? ''];
    message = `unknown field${issue.keys.length > 1 ? `s ${issue.keys.join(', ')}` : ''}`;
  } else if (issue.code === 'invalid_type' && /received undefined$/.test(issue.message)) {
    message = 'is required';
  }
  const field = path.map(String).join('.');
  return { field, message: field ? `${field}: ${message}` : message };
}

/** Where a value came from, so an error can say `query parameter limit` rather than just `limit`. */
export interface ParseOptions {
  /** Prepended to the field path (e.g. `['heartbeats', 3]`). */
  readonly prefix?: readonly PathKey[];
  /** Said when the whole value is missing (e.g. `body is required: send {...}`). */
  readonly whenMissing?: string;
}

/**
 * Validates request input with zod and throws a ValidationError naming the field: validation stays in zod (fastify's
 * JSON-schema validation is switched off) so every 400 names the offending field the same way.
 */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, options: ParseOptions = {}): z.output<S> {
  if (value === undefined && options.whenMissing !== undefined) {
    throw new ValidationError(options.whenMissing, options.prefix?.map(String).join('.') ?? '');
  }
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const { field, message } = describeZodError(parsed.error, options.prefix);
  throw new ValidationError(message, field, parsed.error);
}
