import { z } from 'zod';
import { AgentId, IsoTimestamp, TenantId } from './primitives.ts';

/** Version of the envelope and of every event schema in this package; bumped on breaking change. */
export const CONTRACT_VERSION = 1 as const;

/** Fields every event carries, agent-scoped or not. */
export const BaseEnvelope = z.object({
  version: z.literal(CONTRACT_VERSION),
  id: z.string().min(1).max(128),
  time: IsoTimestamp,
});

/** Fields of an event about one agent: it is keyed `<tenant>/<agentId>` on the log. */
export const AgentEnvelope = BaseEnvelope.extend({
  tenant: TenantId,
  agentId: AgentId,
});
