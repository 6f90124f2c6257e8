import { AgentEvent, CONTRACT_VERSION, describeIssue, InvalidEventError } from '@vigil/contracts';

/**
 * Turns one line of a replay file into an agent event. Two forms are accepted: the envelope as the platform stores
 * it on the log, and a minimal hand-written form — `{"type":"heartbeat","agentId":"a1","receivedAt":"…"}` — whose
 * missing fields are defaulted (tenant `default`, instance `default`, interval 30 s, `sentAt` = `receivedAt`).
 * Ids of defaulted events derive from the line number so that a replay is byte-stable.
 */
export function toReplayEvent(json: unknown, lineNumber: number): AgentEvent {
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new InvalidEventError(`line ${lineNumber}: expected a JSON object`, { line: lineNumber });
  }
  const o = json as Record<string, unknown>;
  const candidate = 'data' in o && 'version' in o ? o : expandMinimal(o, lineNumber);
  const parsed = AgentEvent.safeParse(candidate);
  if (!parsed.success) {
    const { field, message } = describeIssue(parsed.error);
    throw new InvalidEventError(`line ${lineNumber}: invalid at "${field}": ${message}`, { line: lineNumber, field });
  }
  return parsed.data;
}

function str(o: Record<string, unknown>, key: string): string | undefined {
  const v = o[key];
  return typeof v === 'string' ? v : undefined;
}

function expandMinimal(o: Record<string, unknown>, line: number): Record<string, unknown> {
  const type = str(o, 'type');
  const tenant = str(o, 'tenant') ?? 'default';
  const id = str(o, 'id') ?? `replay-line-${line}`;
  const base = { version: CONTRACT_VERSION, id, tenant, agentId: o['agentId'] };
  switch (type) {
    case 'heartbeat': {
      const receivedAt = str(o, 'receivedAt') ?? str(o, 'time');
      if (receivedAt === undefined) throw new InvalidEventError(`line ${line}: a heartbeat needs "receivedAt" (its event time)`, { line, field: 'receivedAt' });
      const data: Record<string, unknown> = {
        instanceId: o['instanceId'] ?? 'default',
        intervalSeconds: o['intervalSeconds'] ?? 30,
        sentAt: o['sentAt'] ?? receivedAt,
        receivedAt,
      };
      for (const k of ['seq', 'metrics', 'progress', 'host', 'pid', 'version', 'labels', 'eventLoopDelayMs']) if (o[k] !== undefined) data[k] = o[k];
      return { ...base, type, time: receivedAt, data };
    }
    case 'tick':
      return { version: CONTRACT_VERSION, id, type, time: o['time'], data: { partition: o['partition'] ?? 0 } };
    case 'agent-killed':
      return { ...base, type, time: o['time'], data: { by: o['by'] ?? 'replay', reason: o['reason'] ?? '' } };
    case 'agent-resumed':
      return { ...base, type, time: o['time'], data: { by: o['by'] ?? 'replay', ...(o['reason'] === undefined ? {} : { reason: o['reason'] }) } };
    case 'agent-stopped':
      return {
        ...base,
        type,
        time: o['time'],
        data: { ...(o['instanceId'] === undefined ? {} : { instanceId: o['instanceId'] }), ...(o['reason'] === undefined ? {} : { reason: o['reason'] }) },
      };
    case 'thresholds-set': {
      const data: Record<string, unknown> = {};
      for (const k of ['degradedAfterMs', 'unreachableAfterMs', 'stalledAfterMs']) if (o[k] !== undefined) data[k] = o[k];
      return { version: CONTRACT_VERSION, id, type, tenant, ...(o['agentId'] === undefined ? {} : { agentId: o['agentId'] }), time: o['time'], data };
    }
    case 'agent-forgotten':
      return { ...base, type, time: o['time'], data: { by: o['by'] ?? 'replay', reason: o['reason'] ?? '' } };
    case 'retention-set':
      return { version: CONTRACT_VERSION, id, type, tenant, time: o['time'], data: { forgetAfterMs: o['forgetAfterMs'] ?? null } };
    default:
      throw new InvalidEventError(`line ${line}: unknown event type ${JSON.stringify(type)}`, { line, field: 'type' });
  }
}
