import { InvalidCursorError } from '../errors.ts';

/** Position after the last agent of a page ordered by id. */
export interface AgentCursor {
  readonly agentId: string;
}

/** Position after the last agent of a page ordered by severity rank, then status age, then id. */
export interface SeverityCursor {
  readonly severity: number;
  readonly statusSince: number;
  readonly agentId: string;
}

/** Position after the last agent of a page ordered by last beat (newest first), then id (descending). */
export interface LastSeenCursor {
  readonly seenOrder: number;
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
  if (!isRecord(v) || v.k !== 'agent' || v.s !== undefined || typeof v.a !== 'string') throw new InvalidCursorError(cursor);
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

function isInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v);
}

/** An opaque cursor for the severity-ordered agents page after the given agent. */
export function encodeSeverityCursor(cursor: SeverityCursor): string {
  return encode({ k: 'agent', s: 'severity', r: cursor.severity, t: cursor.statusSince, a: cursor.agentId });
}

/** Reads a severity cursor; InvalidCursorError if it is not one (a cursor of another order included). */
export function decodeSeverityCursor(cursor: string): SeverityCursor {
  const v = decode(cursor);
  if (!isRecord(v) || v.k !== 'agent' || v.s !== 'severity' || !isInt(v.r) || !isInt(v.t) || typeof v.a !== 'string') throw new InvalidCursorError(cursor);
  return { severity: v.r, statusSince: v.t, agentId: v.a };
}

/** An opaque cursor for the last-seen-ordered agents page after the given agent. */
export function encodeLastSeenCursor(cursor: LastSeenCursor): string {
  return encode({ k: 'agent', s: 'lastSeen', t: cursor.seenOrder, a: cursor.agentId });
}

/** Reads a last-seen cursor; InvalidCursorError if it is not one (a cursor of another order included). */
export function decodeLastSeenCursor(cursor: string): LastSeenCursor {
  const v = decode(cursor);
  if (!isRecord(v) || v.k !== 'agent' || v.s !== 'lastSeen' || !isInt(v.t) || typeof v.a !== 'string') throw new InvalidCursorError(cursor);
  return { seenOrder: v.t, agentId: v.a };
}
