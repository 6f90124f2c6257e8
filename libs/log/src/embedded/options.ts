import type { Logger } from 'pino';
import { z } from 'zod';
import { InvalidLogOptionsError } from '../errors.ts';

function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.child === 'function' && typeof v.error === 'function' && typeof v.warn === 'function';
}

/** Options of `EmbeddedLog`, validated once at construction. */
export const EmbeddedLogOptions = z.strictObject({
  /** SQLite file (created if absent; several processes may open it at once), or ':memory:' for one private log. */
  path: z.string().min(1),
  /**
   * How often an idle consumer looks for records appended by other processes (a cheap `PRAGMA data_version` check).
   * Appends made in this process wake consumers at once, whatever this is.
   */
  pollIntervalMs: z.number().int().positive().max(60_000).default(20),
  /**
   * Least time between two reads of one partition by a consumer while it keeps up (a read that filled a whole batch
   * is followed at once): under load, what arrives meanwhile is handled as one batch, in one transaction, instead of
   * one batch per turn of the event loop. The price is at most this much added latency; 0 reads at every wake-up.
   */
  consumerLingerMs: z.number().int().nonnegative().max(1_000).default(5),
  /**
   * Records of each partition this instance keeps in memory after appending them, for its own consumers (TailCache):
   * a consumer that reads within this many records of the end gets them without a SQLite read. Set it above how far
   * the consumers may fall behind plus a batch; each record costs its value's size while kept, and its decoded value's
   * when the producer gave one (`ProduceRecord.decoded`); up to twice this many are kept between trims.
   */
  tailRecords: z.number().int().positive().max(1_000_000).default(2_048),
  /** Parent logger; the log logs under `child({ module: 'log' })`. Silent without one. */
  logger: z.custom<Logger>(isLogger, 'logger must be a pino logger').optional(),
  /**
   * SQLite `synchronous` in WAL mode. 'normal' (default): a committed append survives a crash or SIGKILL of the process,
   * but the last transactions may be lost if the machine loses power. 'full': also survives power loss, at an fsync per
   * commit.
   */
  synchronous: z.enum(['normal', 'full']).default('normal'),
  /** How often retention and compaction run over topics that have them. */
  retentionCheckIntervalMs: z.number().int().positive().default(60_000),
  /**
   * Run retention and compaction on a timer (default). False for an instance that only reads and consumes while
   * another instance on the same file writes: housekeeping writes would contend for the write lock with it.
   */
  housekeeping: z.boolean().default(true),
  /** How long a write waits for another process's write lock before failing with a retriable error. */
  busyTimeoutMs: z.number().int().nonnegative().max(600_000).default(5_000),
});
/** Options of `EmbeddedLog`, as given. */
export type EmbeddedLogOptions = z.input<typeof EmbeddedLogOptions>;
/** Options of `EmbeddedLog`, with defaults applied. */
export type ResolvedEmbeddedLogOptions = z.output<typeof EmbeddedLogOptions>;

/** Validates `EmbeddedLog` options, turning zod's error into one that names the field. */
export function parseEmbeddedLogOptions(input: unknown): ResolvedEmbeddedLogOptions {
  const parsed = EmbeddedLogOptions.safeParse(input);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  const message = issue ? issue.message : 'invalid';
  throw new InvalidLogOptionsError(`EmbeddedLog options are invalid at "${field}": ${message}`, field, parsed.error);
}
