import { z } from 'zod';
import { LoggerOption } from '../logger-option.ts';

/** Options of `EsdbEventStore`. */
export const EsdbEventStoreOptions = z.strictObject({
  /** `esdb://host:2113?tls=false` (or `esdb+discover://` for a cluster), as `@eventstore/db-client` parses it. */
  connectionString: z.string().min(1, 'connectionString is required, e.g. esdb://localhost:2113?tls=false'),
  /** How long `isReady` waits for the server before answering false. */
  readyTimeoutMs: z.number().int().positive().max(60_000).default(2000),
  logger: LoggerOption.optional(),
});
/** Options of `EsdbEventStore`, as given. */
export type EsdbEventStoreOptions = z.input<typeof EsdbEventStoreOptions>;
