import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicNames, type TopicNames } from '@vigil/contracts';
import { InMemoryApiKeyResolver, MetricsRegistry } from '@vigil/http';
import { DEFAULT_INGEST_CONFIG, ingestPlugin, TickWriter } from '@vigil/ingest';
import { EmbeddedLog } from '@vigil/log';
import { DEFAULT_QUERY_CONFIG, queryPlugin } from '@vigil/query';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { buildOpsApp } from '../platform/ops-app.ts';
import { ensurePlatformTopics } from '../platform/platform-topics.ts';
import { registerDetectorGauges, registerProjectorGauges } from '../platform/service-gauges.ts';
import { createDetector, createProjector } from '../platform/services.ts';
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
  const apiKeys = new InMemoryApiKeyResolver({ [apiKey.key]: 'default' });
  const metrics = new MetricsRegistry();

  const detector = createDetector(log, topics, logger, config.topicPrefix, config);
  const projector = createProjector({ log, topics, readModel, store }, logger, config.topicPrefix);
  const ticks = new TickWriter({ log, topic: topics.agentEvents, logger, intervalMs: Math.min(1000, config.windowMs), metrics });

  const app = await buildOpsApp({
    logger,
    title: 'Vigil',
    metrics,
    checks: [
      { name: 'log', isReady: () => log.isReady() },
      { name: 'store', isReady: () => store.isReady() },
    ],
  });
  await app.register(ingestPlugin, { deps: { log, readModel, topics, apiKeys, logger, metrics }, config: DEFAULT_INGEST_CONFIG });
  await app.register(queryPlugin, { deps: { log, readModel, store, topics, apiKeys, logger, metrics }, config: DEFAULT_QUERY_CONFIG });
  registerDetectorGauges(metrics, detector);
  registerProjectorGauges(metrics, projector);

  await detector.start();
  await projector.start();
  ticks.start();
  let address: string;
  try {
    address = await app.listen({ port: config.port, host: config.host });
  } catch (err) {
    await Promise.allSettled([ticks.stop(), detector.stop(), projector.stop()]);
    await Promise.allSettled([log.close(), store.close(), readModel.close()]);
    throw err;
  }

  let closing: Promise<void> | null = null;
  const close = (): Promise<void> =>
    (closing ??= (async () => {
      await app.close(); // stop taking requests first
      await ticks.stop();
      await detector.stop(); // commits what it handled
      await projector.stop();
      await log.close();
      await store.close();
      await readModel.close();
    })());

  return {
    url: address.replace('[::1]', '127.0.0.1'),
    apiKey: apiKey.key,
    apiKeyCreated: apiKey.created,
    apiKeyFile: apiKey.file,
    databaseFile,
    topics,
    app,
    readModel,
    close,
  };
}
