import { topicNames, type TopicNames } from '@vigil/contracts';
import { apiKeysTopic, InMemoryApiKeyResolver, LogApiKeyRegistry, type ApiKeyResolver, type ApiKeyStore, type StaticKey } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { EventStore, ReadModel } from '@vigil/store';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { openLog, openStore } from './open-adapters.ts';
import { openReadModelSource } from './read-model-source.ts';
import { listen, ShutdownSteps, type RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/** What the HTTP API services (ingest, query) are built from: ports only. */
export interface ApiServiceDeps {
  readonly log: EventLog;
  readonly readModel: ReadModel;
  /** The event store, when the service was given one (query: agent history). */
  readonly store?: EventStore;
  readonly topics: TopicNames;
  readonly apiKeys: ApiKeyResolver;
  /** Creates, lists and revokes keys (the query service's /v1/keys). */
  readonly keys: ApiKeyStore;
  readonly logger: Logger;
}

/** What differs between ingest and query: how the topics are made sure of, and the app. */
export interface ApiServiceSpec {
  readonly name: 'ingest' | 'query';
  /** Makes sure the topics exist (ingest creates them, query waits); false when stopped while waiting. */
  prepare(log: EventLog, topics: TopicNames): Promise<boolean>;
  /** The service's fastify app (its own /healthz, /readyz, /metrics included); not listening. */
  build(deps: ApiServiceDeps): FastifyInstance;
}

/**
 * Runs ingest or query: opens the log, makes sure of the topics, opens the read model (the projector's file, or this
 * replica's own projection), builds the app and listens. Shutdown, in reverse: the app stops taking requests (and
 * ingest's clock stops), the projection drains, then the connections close.
 */
export async function startApiService(spec: ApiServiceSpec, config: ServeConfig, logger: Logger): Promise<RunningService | null> {
  const steps = new ShutdownSteps();
  try {
    const topics = topicNames(config.topicPrefix);
    const log = await openLog(config.log, `vigil-${spec.name}`, logger, config.kafka);
    steps.add(() => log.close());
    if (!(await spec.prepare(log, topics))) {
      await steps.run();
      return null;
    }
    const readModel = await openReadModelSource(config, log, topics, logger, steps);
    const store = config.store === null ? undefined : await openStore(config.store, logger);
    if (store !== undefined) steps.add(() => store.close());
    const keys = await startKeyRegistry(config, log, logger);
    steps.add(() => keys.stop());
    const app = spec.build({ log, readModel, topics, apiKeys: keys, keys, logger, ...(store === undefined ? {} : { store }) });
    steps.add(() => app.close());
    return { url: await listen(app, config.host, config.port), close: () => steps.run() };
  } catch (err) {
    await steps.run();
    throw err;
  }
}

/**
 * The keys of ingest and query: the api-keys topic (every process folds it, so a key created or revoked through any
 * query replica reaches all of them), plus the keys given at start: VIGIL_ADMIN_KEY (admin) and the deprecated
 * VIGIL_API_KEYS.
 */
async function startKeyRegistry(config: ServeConfig, log: EventLog, logger: Logger): Promise<LogApiKeyRegistry> {
  const statics = new Map<string, StaticKey>();
  if (config.apiKeys !== null) {
    logger.warn('VIGIL_API_KEYS is deprecated: its keys cannot be revoked through the API; set VIGIL_ADMIN_KEY and create keys with vigil keys create');
    for (const [key, spec] of InMemoryApiKeyResolver.parseSpec(config.apiKeys)) statics.set(key, { ...spec, name: 'VIGIL_API_KEYS' });
  }
  if (config.adminKey !== null) statics.set(config.adminKey, { tenant: config.adminTenant, role: 'admin', name: 'bootstrap admin (VIGIL_ADMIN_KEY)' });
  const registry = new LogApiKeyRegistry({
    log,
    topic: apiKeysTopic(config.topicPrefix),
    logger: logger.child({ module: 'api-keys' }),
    staticKeys: new InMemoryApiKeyResolver(statics),
  });
  await registry.start();
  return registry;
}
