import { z } from 'zod';

/** ISO 8601 UTC timestamp as accepted at the edges (any sub-second precision, `Z` only). */
export const IsoTimestamp = z.iso.datetime({ offset: false, local: false });

/** Tenant name: lower-case, safe inside keys (`<tenant>/<agentId>`) and stream names. */
export const TenantId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9_-]*$/, 'tenant must be lower-case letters, digits, "_" or "-"');

/** Agent id chosen by the agent's author; no "/" so that `<tenant>/<agentId>` stays unambiguous. */
export const AgentId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9][A-Za-z0-9._:@-]*$/, 'agentId may hold letters, digits and . _ : @ - (no spaces or "/")');

/** Every status an agent can be in; `unknown` appears only as the `from` of an agent's first transition. */
export const AgentStatus = z.enum(['healthy', 'degraded', 'unreachable', 'killed', 'stopped', 'stalled']);
/** An agent's status (see ARCHITECTURE.md, Status model). */
export type AgentStatus = z.infer<typeof AgentStatus>;

/** `from` of a transition: a status, or `unknown` for the first one. */
export const FromStatus = z.enum(['unknown', 'healthy', 'degraded', 'unreachable', 'killed', 'stopped', 'stalled']);
/** A transition's origin status. */
export type FromStatus = z.infer<typeof FromStatus>;

/** Duration in milliseconds, positive and at most 30 days. */
export const DurationMs = z.number().int().positive().max(30 * 24 * 3600 * 1000);
