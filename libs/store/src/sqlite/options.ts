import Database from 'better-sqlite3';
import { z } from 'zod';
import { LoggerOption } from '../logger-option.ts';
import { ReadModelRetentionOptions } from './read-model-retention.ts';

/**
 * An open better-sqlite3 handle. Named here because declaration emit cannot name the `BetterSqlite3` namespace of
 * `@types/better-sqlite3` (TS4023) in the exported schemas below.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- an interface, unlike an alias, is named in .d.ts
export interface SqliteDatabase extends Database.Database {}

/** An open better-sqlite3 handle, shared with its owner (who configures and closes it). */
export const DatabaseOption: z.ZodCustom<SqliteDatabase, SqliteDatabase> = z.custom<SqliteDatabase>((v) => v instanceof Database, 'database must be an open better-sqlite3 Database');

const connectionFields = {
  /** File to open (created if absent); the adapter owns this handle and closes it. */
  path: z.string().min(1).optional(),
  /** An existing handle, so embedded mode keeps the log, the store and the read model in one file. */
  database: DatabaseOption.optional(),
  /** Busy timeout applied when the adapter opens `path` itself. */
  busyTimeoutMs: z.number().int().nonnegative().max(600_000).optional(),
  logger: LoggerOption.optional(),
};

const exactlyOneSource = {
  check: (o: { path?: string | undefined; database?: SqliteDatabase | undefined }) => (o.path === undefined) !== (o.database === undefined),
  message: 'give exactly one of "path" (the adapter opens the file) or "database" (an open handle to share)',
};

/** Options of `SqliteEventStore`. */
export const SqliteEventStoreOptions = z
  .strictObject({
    ...connectionFields,
    /** How often a live subscription looks for events appended by other processes; in-process appends wake it at once. */
    pollIntervalMs: z.number().int().positive().max(60_000).default(100),
    /** How often retention by age is applied to every stream that has one (retention is also applied on append). */
    retentionSweepIntervalMs: z.number().int().positive().default(60_000),
    /** Sweep on a timer (default); false for a reading instance while another instance on the file writes. */
    sweepOnTimer: z.boolean().default(true),
    /** Events a subscription reads per query while catching up. */
    subscriptionBatchSize: z.number().int().positive().max(10_000).default(256),
  })
  .refine(exactlyOneSource.check, { message: exactlyOneSource.message, path: ['path'] });
/** Options of `SqliteEventStore`, as given. */
export type SqliteEventStoreOptions = z.input<typeof SqliteEventStoreOptions>;
/** Options of `SqliteEventStore`, with defaults applied. */
export type ResolvedSqliteEventStoreOptions = z.output<typeof SqliteEventStoreOptions>;

/** Options of `SqliteReadModel`. */
export const SqliteReadModelOptions = z
  .strictObject({
    ...connectionFields,
    /** How long transitions, metric minutes and hours are kept (event time); defaults 30 d, 7 d, 90 d. */
    retention: ReadModelRetentionOptions.default(ReadModelRetentionOptions.parse({})),
    /** Run the retention sweep every `retention.sweepIntervalMs` (default true); false: the host calls `pruneRetention`. */
    sweepOnTimer: z.boolean().default(true),
  })
  .refine(exactlyOneSource.check, {
    message: exactlyOneSource.message,
    path: ['path'],
  });
/** Options of `SqliteReadModel`, as given. */
export type SqliteReadModelOptions = z.input<typeof SqliteReadModelOptions>;
