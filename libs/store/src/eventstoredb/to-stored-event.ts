import type { AllStreamResolvedEvent, ResolvedEvent } from '@eventstore/db-client';
import type { StoredEvent } from '../event-store-port.ts';
import { packPosition } from './esdb-position.ts';

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

/** JSON written by other clients may arrive as bytes; anything that is not a JSON object is wrapped, never dropped. */
function asRecord(value: unknown): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (isPlainObject(value)) return value;
  if (value instanceof Uint8Array) {
    if (value.length === 0) return {};
    const text = Buffer.from(value).toString('utf8');
    try {
      const parsed: unknown = JSON.parse(text);
      return isPlainObject(parsed) ? parsed : { value: parsed };
    } catch {
      return { base64: Buffer.from(value).toString('base64') };
    }
  }
  return { value };
}

/** Converts a resolved event of the client to the port's shape; null for a link whose target is gone. */
export function toStoredEvent(resolved: ResolvedEvent | AllStreamResolvedEvent): StoredEvent | null {
  const recorded = resolved.event;
  if (recorded === undefined) return null;
  const position =
    recorded.position !== undefined
      ? packPosition(recorded.position)
      : resolved.commitPosition !== undefined
        ? packPosition({ commit: resolved.commitPosition, prepare: 0n })
        : -1n;
  return {
    streamName: recorded.streamId,
    revision: Number(recorded.revision),
    position,
    id: recorded.id,
    type: recorded.type,
    data: asRecord(recorded.data),
    metadata: asRecord(recorded.metadata),
    createdAt: recorded.created.getTime(),
  };
}
