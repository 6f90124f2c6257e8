import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { topicNames, type TopicNames } from '@vigil/contracts';
import { DetectorService, defaultDetectorServiceOptions } from '@vigil/detector';
import { healthPlugin, InMemoryApiKeyResolver, metricsPlugin, MetricsRegistry, openApiPlugin, vigilErrorHandler, vigilNotFoundHandler } from '@vigil/http';
import { DEFAULT_INGEST_CONFIG, ingestPlugin, TickWriter } from '@vigil/ingest';
import { EmbeddedLog } from '@vigil/log';
import { ProjectorService } from '@vigil/projector';
import { DEFAULT_QUERY_CONFIG, queryPlugin } from '@vigil/query';
import { SqliteEventStore, SqliteReadModel } from '@vigil/store';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
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

/** Retention of the agent-events topic: heartbeats are only needed until every consumer has read them. */
const AGENT_EVENTS_RETENTION_MS = 24 * 3600 * 1000;
/** Retention of the transitions topic (the read model and event store keep the history). */
const TRANSITIONS_RETENTION_MS = 7 * 24 * 3600 * 1000;

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
  await log.ensureTopic(topics.agentEvents, { partitions: config.partitions, retentionMs: AGENT_EVENTS_RETENTION_MS });
  await log.ensureTopic(topics.statusTransitions, { partitions: config.partitions, retentionMs: TRANSITIONS_RETENTION_MS });
  const store = new SqliteEventStore({ path: databaseFile, logger });
  const readModel = new SqliteReadModel({ path: databaseFile });
  const apiKeys = new InMemoryApiKeyResolver({ [apiKey.key]: 'default' });
  const metrics = new MetricsRegistry();

  const detector = new DetectorService(
    { log, topics, logger: logger.child({ module: 'detector' }) },
    defaultDetectorServiceOptions(config.topicPrefix, {
      windowMs: config.windowMs,
      thresholds: {
        ...(config.degradedAfterMs === undefined ? {} : { degradedAfterMs: config.degradedAfterMs }),
        ...(config.unreachableAfterMs === undefined ? {} : { unreachableAfterMs: config.unreachableAfterMs }),
        ...(config.stalledAfterMs === undefined ? {} : { stalledAfterMs: config.stalledAfterMs }),
      },
    }),
  );
  const projector = new ProjectorService(
    { log, topics, logger: logger.child({ module: 'projector' }), readModel, store },
    { groupPrefix: `${config.topicPrefix}projector`, streamMaxCount: 10_000 },
  );
  const ticks = new TickWriter({ log, topic: topics.agentEvents, logger, intervalMs: Math.min(1000, config.windowMs), metrics });

  const loggerInstance: FastifyBaseLogger = logger;
  const app = Fastify({ loggerInstance });
  app.setErrorHandler(vigilErrorHandler);
  app.setNotFoundHandler(vigilNotFoundHandler);
  await app.register(openApiPlugin, { title: 'Vigil', version: '1' });
  await app.register(metricsPlugin, { registry: metrics });
  await app.register(healthPlugin, { checks: [{ name: 'log', isReady: () => log.isReady() }, { name: 'store', isReady: () => store.isReady() }] });
  await app.register(ingestPlugin, { deps: { log, readModel, topics, apiKeys, logger, metrics }, config: DEFAULT_INGEST_CONFIG });
  await app.register(queryPlugin, { deps: { log, readModel, topics, apiKeys, logger, metrics }, config: DEFAULT_QUERY_CONFIG });
  registerServiceGauges(metrics, detector, projector);

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

/** Detector and projector counters on /metrics, refreshed at scrape time. */
function registerServiceGauges(metrics: MetricsRegistry, detector: DetectorService, projector: ProjectorService): void {
  const d = metrics.gauge('vigil_detector', 'Detector counters (late events, blind periods, outputs, ...)', ['counter']);
  const p = metrics.gauge('vigil_projector', 'Projector counters', ['counter']);
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(detector.stats())) d.set({ counter: k }, v);
    for (const [k, v] of Object.entries(projector.stats())) p.set({ counter: k }, v);
  });
}
