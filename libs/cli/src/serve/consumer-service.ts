import { topicNames, VigilError, type TopicNames } from '@vigil/contracts';
import { MetricsRegistry, type ReadinessCheck } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { Logger } from 'pino';
import { sleepUnlessAborted } from '../abortable-sleep.ts';
import { buildOpsApp } from '../platform/ops-app.ts';
import { openLog } from './open-adapters.ts';
import { listen, ShutdownSteps, type RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';
import { waitForTopics } from './wait-for-topics.ts';

/** A log consumer run as its own process: the detector or the projector service. */
export interface ConsumerService {
  start(): Promise<void>;
  /** Stops after the batch in hand, with that batch committed. */
  stop(): Promise<void>;
}

/** A consumer service as built: the service, what else `/readyz` asks, what `/metrics` shows. */
export interface ConsumerServiceParts {
  readonly service: ConsumerService;
  readonly checks: readonly ReadinessCheck[];
  gauges(metrics: MetricsRegistry): void;
}

/** What differs between the consumer services: how to build one, what else `/readyz` asks, what `/metrics` shows. */
export interface ConsumerServiceSpec {
  readonly name: 'detector' | 'projector' | 'notifier';
  /** Builds the service over the opened log; what it opens besides goes into `steps` to be closed. */
  create(log: EventLog, topics: TopicNames, steps: ShutdownSteps): ConsumerServiceParts | Promise<ConsumerServiceParts>;
}

/**
 * Runs a consumer service with its HTTP face: `/healthz`, `/readyz` (the log and the service's own checks answer from
 * real connections, and the consumer has joined its group) and `/metrics`. It listens before it waits for the topics
 * and restores state, so probes are answered (503 until ready) while it starts. Shutdown, in reverse: the consumer
 * drains and commits, the app closes, then the connections.
 */
export async function startConsumerService(spec: ConsumerServiceSpec, config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  const steps = new ShutdownSteps();
  try {
    const topics = topicNames(config.topicPrefix);
    const log = await openLog(config.log, `vigil-${spec.name}`, logger, config.kafka);
    steps.add(() => log.close());
    const { service, checks, gauges } = await spec.create(log, topics, steps);
    const metrics = new MetricsRegistry({ processMetrics: true });
    gauges(metrics);
    let started = false;
    const app = await buildOpsApp({
      logger,
      title: `Vigil ${spec.name}`,
      metrics,
      checks: [{ name: 'log', isReady: () => log.isReady() }, ...checks, { name: 'consumer', isReady: async () => started }],
    });
    steps.add(() => app.close());
    const url = await listen(app, config.host, config.port);
    if (!(await waitForTopics(log, [topics.agentEvents, topics.statusTransitions], logger, signal))) {
      await steps.run();
      return null;
    }
    steps.add(() => service.stop());
    if (!(await startWhileRetriable(service, logger, signal))) {
      await steps.run();
      return null;
    }
    started = true;
    return { url, close: () => steps.run() };
  } catch (err) {
    await steps.run();
    throw err;
  }
}

/**
 * Starts the consumer, retrying while the log says the failure is transient (an embedded log file whose write lock
 * another process holds past the busy timeout, a Kafka broker restarting): a service that crash-loops on a busy file
 * helps nobody, and /readyz says 503 meanwhile. Resolves false if `signal` aborts first.
 */
async function startWhileRetriable(service: ConsumerService, logger: Logger, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    try {
      await service.start();
      return true;
    } catch (err) {
      if (!(err instanceof VigilError && err.retriable)) throw err;
      logger.warn({ err, attempt }, 'could not start the consumer; retrying');
      await service.stop();
    }
    const delay = Math.min(5_000, 200 * 2 ** Math.min(attempt, 5));
    if (await sleepUnlessAborted(delay, signal)) return false;
  }
}
