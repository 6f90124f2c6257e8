import { InvalidCursorError } from '../errors.ts';

/** Position after the last agent of a page (agents are ordered by id). */
export interface AgentCursor {
  readonly agentId: string;
}

/** Position after the last transition of a page (newest first: `at` descending, then id descending). */
export interface TransitionCursor {
  readonly at: number;
  readonly id: string;
}

function encode(value: unknown): string {
  return Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');
}

function decode(cursor: string): unknown {
  try {
    return JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
  } catch {
    throw new InvalidCursorError(cursor);
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** An opaque cursor for the agents page after `agentId`. */
export function encodeAgentCursor(cursor: AgentCursor): string {
  return encode({ k: 'agent', a: cursor.agentId });
}

/** Reads an agents cursor; InvalidCursorError if it is not one this read model issued. */
export function decodeAgentCursor(cursor: string): AgentCursor {
  const v = decode(cursor);
  if (!isRecord(v) || v.k !== 'agent' || typeof v.a !== 'string') throw new InvalidCursorError(cursor);
  return { agentId: v.a };
}

/** An opaque cursor for the transitions page after (`at`, `id`). */
export function encodeTransitionCursor(cursor: TransitionCursor): string {
  return encode({ k: 'transition', t: cursor.at, i: cursor.id });
}

/** Reads a transitions cursor; InvalidCursorError if it is not one this read model issued. */
export function decodeTransitionCursor(cursor: string): TransitionCursor {
  const v = decode(cursor);
  if (!isRecord(v) || v.k !== 'transition' || typeof v.t !== 'number' || !Number.isInteger(v.t) || typeof v.i !== 'string') {
    throw new InvalidCursorError(cursor);
  }
  return { at: v.t, id: v.i };
}
