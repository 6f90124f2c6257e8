import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicNames, type TopicNames } from '@vigil/contracts';
import { apiKeysTopic, InMemoryApiKeyResolver, loadSheddingPlugin, LogApiKeyRegistry, MetricsRegistry } from '@vigil/http';
import { ingestPlugin, TickWriter } from '@vigil/ingest';
import { EmbeddedLog, TopicNotFoundError } from '@vigil/log';
import { queryPlugin } from '@vigil/query';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { SqliteWebhookStore } from '@vigil/webhooks';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildOpsApp } from '../platform/ops-app.ts';
import { ensurePlatformTopics } from '../platform/platform-topics.ts';
import { registerConsumerLag } from '../platform/service-gauges.ts';
import { platformConsumers } from '../platform/services.ts';
import { loadOrCreateApiKey } from './api-key-file.ts';
import type { UpConfig } from './up-config.ts';
import { AgentStatusCache } from './agent-status-cache.ts';
import { WriterThreadIntake } from './writer-thread-intake.ts';
import { WriterThreadLog } from './writer-thread-log.ts';
import { WriterThread } from './writer-thread.ts';

/** Name of the counter of heartbeat status lookups, by `result` (hit: answered from memory; miss: read from the file). */
export const STATUS_CACHE_METRIC = 'vigil_agent_status_lookups_total';

/**
 * Partitions of a new data directory's topics. One: every consumer of embedded mode runs on the writer thread, so
 * partitions add no parallelism there, only cost — each group commit writes a B-tree leaf per partition it touches,
 * and each consumer commits a batch per partition (bench ingest, 2 alternating pairs: 1 partition against 4, writer
 * thread 33 against 37 µs per beat, beats/s +3 to +10 %).
 */
export const EMBEDDED_PARTITIONS = 1;

/** The partitions of a topic the file already has, or null if it has no such topic (a new data directory). */
async function existingPartitions(log: EmbeddedLog, topic: string): Promise<number | null> {
  try {
    return await log.partitionCount(topic);
  } catch (err) {
    if (err instanceof TopicNotFoundError) return null;
    throw err;
  }
}

/** A running embedded Vigil: every service in this process on one SQLite file. */
export interface EmbeddedPlatform {
  /** Base URL of the HTTP API. */
  readonly url: string;
  readonly apiKey: string;
  readonly apiKeyCreated: boolean;
  readonly apiKeyFile: string;
  readonly databaseFile: string;
  readonly topics: TopicNames;
  readonly app: FastifyInstance;
  readonly readModel: SqliteReadModel;
  /** The platform's API keys (the bootstrap admin key, and those created through /v1/keys). */
  readonly keys: LogApiKeyRegistry;
  /** Settles if the writer thread (log appends, detector, projector, notifier) dies: the platform cannot go on. */
  readonly failed: Promise<Error>;
  /** Drains and closes everything, in dependency order; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts ingest, tick clock, detector, projector, notifier and query in one process, sharing one SQLite file
 * (`vigil.db` in the data directory) as log, event store and read model, with the HTTP API on one port. Two threads:
 * this one serves HTTP and only reads the file; a worker thread (writer-thread-main.ts) is its one writer — the log's
 * appends, the detector, the projector and the notifier — so no fold or window close ever holds up a request, and
 * the two cores of a small machine share the work. The same domain code as distributed mode: only the adapters differ.
 */
export async function startEmbeddedPlatform(config: UpConfig, logger: Logger): Promise<EmbeddedPlatform> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const databaseFile = join(dataDir, 'vigil.db');
  const topics = topicNames(config.topicPrefix);
  const apiKey = config.apiKey === null ? loadOrCreateApiKey(dataDir) : { key: config.apiKey, created: false, file: '' };

  // This thread only reads the file; the writer thread is its one writer (see writer-thread-main.ts).
  const reader = new EmbeddedLog({ path: databaseFile, logger, housekeeping: false });
  try {
    await ensurePlatformTopics(reader, topics, config.partitions ?? (await existingPartitions(reader, topics.agentEvents)) ?? EMBEDDED_PARTITIONS);
  } catch (err) {
    await reader.close();
    throw err;
  }
  const retention = {
    ...(config.keepTransitionsMs === undefined ? {} : { transitionsMs: config.keepTransitionsMs }),
    ...(config.keepMetricMinutesMs === undefined ? {} : { metricMinutesMs: config.keepMetricMinutesMs }),
    ...(config.keepMetricHoursMs === undefined ? {} : { metricHoursMs: config.keepMetricHoursMs }),
  };
  let writer: WriterThread;
  try {
    writer = await WriterThread.start(
      {
        databaseFile,
        topics,
        topicPrefix: config.topicPrefix,
        detector: { windowMs: config.windowMs, degradedAfterMs: config.degradedAfterMs, unreachableAfterMs: config.unreachableAfterMs, stalledAfterMs: config.stalledAfterMs, forgetAfterMs: config.forgetAfterMs },
        retention,
        logLevel: typeof logger.level === 'string' ? logger.level : 'info',
      },
      logger.child({ module: 'writer-thread' }),
    );
  } catch (err) {
    await reader.close();
    throw err;
  }
  const log = new WriterThreadLog(reader, writer);
  const store = new SqliteEventStore({ path: databaseFile, logger, sweepOnTimer: false });
  const readModel = new SqliteReadModel({ path: databaseFile, logger, retention, sweepOnTimer: false });
  // Registered before any beat: the writer thread sends each status its read model commits, from its first fold on.
  const statuses = new AgentStatusCache(readModel);
  writer.onStatusChanges((changes) => statuses.apply(changes));
  const metrics = new MetricsRegistry({ processMetrics: true, threadName: 'http' });
  metrics.trackThreadBusy('writer', () => writer.eventLoopUtilization());
  metrics.include(() => writer.metricsText());
  const statusLookups = metrics.counter(STATUS_CACHE_METRIC, "Agents' statuses looked up for heartbeat answers, by whether memory held them (hit) or the read model was read (miss)", ['result']);
  metrics.onCollect(() => {
    const { hits, misses } = statuses.stats();
    statusLookups.advanceTo({ result: 'hit' }, hits);
    statusLookups.advanceTo({ result: 'miss' }, misses);
  });
  // The bootstrap key is admin of every tenant and operator of `default`: what the quick start's single key needs.
  const keys = new LogApiKeyRegistry({
    log,
    topic: apiKeysTopic(config.topicPrefix),
    logger: logger.child({ module: 'api-keys' }),
    staticKeys: new InMemoryApiKeyResolver({
      [apiKey.key]: { tenant: 'default', role: 'admin', name: apiKey.file === '' ? 'bootstrap admin (--api-key)' : `bootstrap admin (${apiKey.file})` },
    }),
  });
  const webhooks = new SqliteWebhookStore({ path: databaseFile });
  const ticks = new TickWriter({ log, topic: topics.agentEvents, logger, intervalMs: config.ingest.tickIntervalMs, metrics });

  const closeAll = async (): Promise<void> => {
    await Promise.allSettled([ticks.stop(), keys.stop()]);
    await writer.stop().catch(() => undefined);
    await Promise.allSettled([reader.close(), store.close(), readModel.close(), webhooks.close()]);
  };
  let app: FastifyInstance;
  let url: string;
  try {
    app = await buildOpsApp({
      logger,
      title: 'Vigil',
      metrics,
      checks: [
        { name: 'log', isReady: () => log.isReady() },
        { name: 'store', isReady: () => store.isReady() },
      ],
    });
    await app.register(loadSheddingPlugin, {
      maxEventLoopDelayMs: Math.min(config.ingest.maxEventLoopDelayMs, config.query.maxEventLoopDelayMs),
      retryAfterSeconds: config.ingest.retryAfterSeconds,
    });
    const intake = new WriterThreadIntake(writer, topics.agentEvents);
    await app.register(ingestPlugin, { deps: { log, readModel, statuses, intake, topics, apiKeys: keys, logger, metrics }, config: config.ingest });
    // GET /v1/retention answers the same platform default the writer thread's detector was given.
    const platformForgetAfterMs = config.forgetAfterMs;
    await app.register(queryPlugin, {
      deps: {
        log,
        readModel,
        store,
        topics,
        apiKeys: keys,
        keys,
        logger,
        metrics,
        webhooks,
        allowPrivateWebhooks: config.notifier.allowPrivate,
        ...(platformForgetAfterMs === undefined ? {} : { platformForgetAfterMs }),
      },
      config: config.query,
    });
    const consumers = platformConsumers(config.topicPrefix, topics);
    registerConsumerLag(metrics, log, [...consumers.detector, ...consumers.projector]);

    await keys.start();
    ticks.start();
    url = (await app.listen({ port: config.port, host: config.host })).replace('[::1]', '127.0.0.1');
    // Started once the address is known: its links point at this server's dashboard unless VIGIL_PUBLIC_URL says otherwise.
    await writer.startNotifier({ ...config.notifier, publicUrl: config.publicUrl ?? url });
  } catch (err) {
    await closeAll();
    throw err;
  }

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close(); // stop taking requests first
      await ticks.stop();
      await keys.stop(); // writes the last-used times it holds (through the writer thread)
      await writer.stop(); // the notifier, detector and projector commit what they handled
      await reader.close();
      await store.close();
      await readModel.close();
      await webhooks.close();
    })());

  return {
    url,
    apiKey: apiKey.key,
    apiKeyCreated: apiKey.created,
    apiKeyFile: apiKey.file,
    databaseFile,
    topics,
    app,
    readModel,
    keys,
    failed: writer.failed,
    close,
  };
}
