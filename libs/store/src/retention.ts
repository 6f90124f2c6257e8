import { z } from 'zod';
import type { StreamRetention } from './event-store-port.ts';
import { parseStoreOptions } from './parse-options.ts';

/**
 * Limits a stream's retention may take. Age is whole seconds at least on EventStoreDB (`$maxAge`), so anything under
 * one second is refused everywhere rather than silently rounded on one adapter only.
 */
export const StreamRetentionSchema = z.strictObject({
  maxCount: z.number().int().positive().optional(),
  maxAgeMs: z.number().int().min(1000, 'maxAgeMs must be at least 1000 (EventStoreDB keeps age in whole seconds)').optional(),
});

/** Validates a retention given to `setStreamRetention`. */
export function parseRetention(retention: StreamRetention): StreamRetention {
  return parseStoreOptions(StreamRetentionSchema, retention, 'stream retention');
}
