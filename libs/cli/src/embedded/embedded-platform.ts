import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicNames, type TopicNames } from '@vigil/contracts';
import { apiKeysTopic, InMemoryApiKeyResolver, loadSheddingPlugin, LogApiKeyRegistry, MetricsRegistry } from '@vigil/http';
import { ingestPlugin, TickWriter } from '@vigil/ingest';
import { EmbeddedLog } from '@vigil/log';
import { NotifierService, notifierGroupId } from '@vigil/notifier';
import { queryPlugin } from '@vigil/query';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import { SqliteWebhookStore } from '@vigil/webhooks';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildOpsApp } from '../platform/ops-app.ts';
import { ensurePlatformTopics } from '../platform/platform-topics.ts';
import { registerConsumerLag, registerDetectorGauges, registerProjectorGauges } from '../platform/service-gauges.ts';
import { createDetector, createProjector, platformConsumers } from '../platform/services.ts';
import { loadOrCreateApiKey } from './api-key-file.ts';
import type { UpConfig } from './up-config.ts';

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
  /** Drains and closes everything, in dependency order; idempotent. */
  close(): Promise<void>;
}

/**
 * Starts ingest, tick clock, detector, projector and query in one process, sharing one SQLite file (`vigil.db` in
 * the data directory) as log, event store and read model, with the HTTP API on one port. The same domain code as
 * distributed mode: only the adapters differ.
 */
export async function startEmbeddedPlatform(config: UpConfig, logger: Logger): Promise<EmbeddedPlatform> {
  const dataDir = resolve(config.dataDir);
  mkdirSync(dataDir, { recursive: true });
  const databaseFile = join(dataDir, 'vigil.db');
  const topics = topicNames(config.topicPrefix);
  const apiKey = config.apiKey === null ? loadOrCreateApiKey(dataDir) : { key: config.apiKey, created: false, file: '' };

  const log = new EmbeddedLog({ path: databaseFile, logger });
  await ensurePlatformTopics(log, topics, config.partitions);
  const store = new SqliteEventStore({ path: databaseFile, logger });
  const readModel = new SqliteReadModel({
    path: databaseFile,
    logger,
    retention: {
      ...(config.keepTransitionsMs === undefined ? {} : { transitionsMs: config.keepTransitionsMs }),
      ...(config.keepMetricMinutesMs === undefined ? {} : { metricMinutesMs: config.keepMetricMinutesMs }),
      ...(config.keepMetricHoursMs === undefined ? {} : { metricHoursMs: config.keepMetricHoursMs }),
    },
  });
  const metrics = new MetricsRegistry({ processMetrics: true });
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

  const detector = createDetector(log, topics, logger, config.topicPrefix, config);
  const projector = createProjector({ log, topics, readModel, store }, logger, config.topicPrefix);
  const ticks = new TickWriter({ log, topic: topics.agentEvents, logger, intervalMs: config.ingest.tickIntervalMs, metrics });

  const app = await buildOpsApp({
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
  await app.register(ingestPlugin, { deps: { log, readModel, topics, apiKeys: keys, logger, metrics }, config: config.ingest });
  await app.register(queryPlugin, { deps: { log, readModel, store, topics, apiKeys: keys, keys, logger, metrics, webhooks, allowPrivateWebhooks: config.notifier.allowPrivate }, config: config.query });
  registerDetectorGauges(metrics, detector);
  registerProjectorGauges(metrics, projector);
  const consumers = platformConsumers(config.topicPrefix, topics);
  registerConsumerLag(metrics, log, [...consumers.detector, ...consumers.projector]);

  await keys.start();
  await detector.start();
  await projector.start();
  ticks.start();
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await Promise.allSettled([ticks.stop(), detector.stop(), projector.stop(), keys.stop()]);
    await Promise.allSettled([log.close(), store.close(), readModel.close(), webhooks.close()]);
    throw err;
  }
  const url = address.replace('[::1]', '127.0.0.1');
  // Started once the address is known: its links point at this server's dashboard unless VIGIL_PUBLIC_URL says otherwise.
  const notifier = new NotifierService(
    { log, topics, store: webhooks, logger: logger.child({ module: 'notifier' }), metrics },
    { ...config.notifier, publicUrl: config.publicUrl ?? url },
    notifierGroupId(config.topicPrefix),
  );
  await notifier.start();

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close(); // stop taking requests first
      await ticks.stop();
      await detector.stop(); // commits what it handled
      await projector.stop();
      await notifier.stop();
      await keys.stop(); // writes the last-used times it holds
      await log.close();
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
    close,
  };
}
