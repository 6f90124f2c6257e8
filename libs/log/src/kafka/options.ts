import type { Logger } from 'pino';
import { z } from 'zod';
import { InvalidLogOptionsError } from '../errors.ts';

/** Duck-typed pino check: zod cannot `instanceof` a pino logger (pino exports a factory, not a class). */
function isLogger(value: unknown): value is Logger {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.child === 'function' && typeof v.error === 'function' && typeof v.warn === 'function';
}

/** A `host:port` broker address (kafkajs would otherwise fail late, at the first connection, with a vague error). */
const BrokerAddress = z.string().regex(/^[^\s:,]+:\d{1,5}$/, 'broker must be "host:port", such as 127.0.0.1:9092');

/** Retry settings of every kafkajs request (kafkajs `retry`): exponential backoff with jitter, then the call fails. */
export const KafkaRetryOptions = z.strictObject({
  /** Attempts after the first before a call fails with a retriable `VIGIL_ERR_LOG_UNAVAILABLE`. */
  retries: z.number().int().nonnegative().max(100).default(5),
  initialRetryTimeMs: z.number().int().positive().default(300),
  maxRetryTimeMs: z.number().int().positive().default(30_000),
});

/** Options of `KafkaLog`, validated once at construction. */
export const KafkaLogOptions = z
  .strictObject({
    /** Bootstrap brokers, `host:port`; a comma-separated string (as in env `KAFKA_BROKERS`) is accepted too. */
    brokers: z.preprocess(
      (value) => (typeof value === 'string' ? value.split(',').map((b) => b.trim()).filter((b) => b.length > 0) : value),
      z.array(BrokerAddress).min(1, 'at least one broker is required, such as 127.0.0.1:9092'),
    ),
    /** Client id seen in broker logs and quotas. */
    clientId: z.string().min(1).default('vigil'),
    /** Parent logger; kafkajs logs under `child({ module: 'kafka' })`. Silent without one (errors are thrown). */
    logger: z.custom<Logger>(isLogger, 'logger must be a pino logger').optional(),
    /** TCP connect timeout per broker connection. */
    connectionTimeoutMs: z.number().int().positive().default(3_000),
    /** Timeout of one request to a broker. */
    requestTimeoutMs: z.number().int().positive().default(30_000),
    retry: KafkaRetryOptions.default({ retries: 5, initialRetryTimeMs: 300, maxRetryTimeMs: 30_000 }),
    /**
     * Replicas of topics created by `ensureTopic`. Default: min(3, brokers in the cluster), so one dev broker gets 1
     * and a production cluster gets 3. (kafkajs speaks CreateTopics v3, which cannot ask for the broker's default.)
     */
    replicationFactor: z.number().int().positive().max(16).optional(),
    /** A consumer that sends no heartbeat for this long is removed from its group and its partitions move. */
    sessionTimeoutMs: z.number().int().positive().default(30_000),
    /** How often consumers heartbeat (also between the chunks of a long batch); well below the session timeout. */
    heartbeatIntervalMs: z.number().int().positive().default(3_000),
    /** How long the group waits for every member to rejoin during a rebalance. */
    rebalanceTimeoutMs: z.number().int().positive().default(60_000),
    /**
     * Most bytes a consumer fetches per partition in one request (kafkajs `maxBytesPerPartition`), which bounds the
     * batches handed to `eachBatch` together with `maxBatchSize`. Larger fetches let a consumer that is behind (a
     * detector catching up) fold more records per transaction.
     */
    fetchMaxBytesPerPartition: z.number().int().positive().default(1024 * 1024),
    /** Longest a fetch waits on the broker for new records: the latency of an idle consumer. */
    maxWaitTimeMs: z.number().int().positive().default(100),
    /**
     * Largest sum of key and value bytes one produce request of a transaction carries per partition. kafkajs puts all
     * records of a send for a partition into ONE record batch (it has no `batch.size` splitting like the Java client),
     * and the broker rejects a batch over `message.max.bytes` (1 MiB by default) with MESSAGE_TOO_LARGE, which is not
     * retriable: a large transaction (a detector batch of thousands of changed agents) would fail forever. So
     * `transaction()` splits its appends into sends within this budget (all inside the one transaction), and group
     * produce (`append`) stops a batch before an append that would take a partition past it. Keep it well under the
     * broker's limit: record headers and batch framing come on top.
     */
    maxBatchBytes: z.number().int().positive().default(512 * 1024),
    /** Longest a transaction may stay open before the broker aborts it. */
    transactionTimeoutMs: z.number().int().positive().default(60_000),
    /**
     * After a transaction commits, wait up to this long until its offsets and records are visible to offset fetches and
     * read_committed readers (see `KafkaLog.transaction()`); 0 disables the wait.
     */
    commitVisibilityTimeoutMs: z.number().int().nonnegative().default(5_000),
    /** `isReady()` answers false if the cluster does not answer a metadata request within this time. */
    readyTimeoutMs: z.number().int().positive().default(2_000),
    /** `read()` returns what it has after this long, if records up to the end offset are not readable yet. */
    readTimeoutMs: z.number().int().positive().default(10_000),
  })
  .refine((o) => o.heartbeatIntervalMs < o.sessionTimeoutMs, {
    message: 'heartbeatIntervalMs must be less than sessionTimeoutMs (a third of it is usual)',
    path: ['heartbeatIntervalMs'],
  });
/** Options of `KafkaLog`, as given. */
export type KafkaLogOptions = z.input<typeof KafkaLogOptions>;
/** Options of `KafkaLog`, with defaults applied. */
export type ResolvedKafkaLogOptions = z.output<typeof KafkaLogOptions>;

/** Validates `KafkaLog` options, turning zod's error into one that names the field. */
export function parseKafkaLogOptions(input: unknown): ResolvedKafkaLogOptions {
  const parsed = KafkaLogOptions.safeParse(input);
  if (parsed.success) return Object.freeze(parsed.data);
  const issue = parsed.error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  const message = issue ? issue.message : 'invalid';
  throw new InvalidLogOptionsError(`KafkaLog options are invalid at "${field}": ${message}`, field, parsed.error);
}
