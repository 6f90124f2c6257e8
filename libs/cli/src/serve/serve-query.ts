import { buildQueryApp } from '@vigil/query';
import { SqliteWebhookStore } from '@vigil/webhooks';
import type { Logger } from 'pino';
import { startApiService } from './api-service.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';
import { waitForTopics } from './wait-for-topics.ts';

/** `vigil serve query`: the read API, transition stream and kill/resume endpoints (which append to the log). */
export async function startQuery(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  // With VIGIL_WEBHOOK_STORE, /v1/webhooks writes the file the notifier reads.
  const webhooks = config.webhookStore === null ? null : new SqliteWebhookStore({ path: config.webhookStore.path });
  let running: RunningService | null;
  try {
    running = await startApiService(
      {
        name: 'query',
        prepare: (log, topics) => waitForTopics(log, [topics.agentEvents, topics.statusTransitions], logger, signal),
        build: (deps) =>
          buildQueryApp(
            {
              ...deps,
              ...(webhooks === null ? {} : { webhooks, allowPrivateWebhooks: config.allowPrivateWebhooks }),
              // VIGIL_FORGET_AFTER: the detector's platform default, which GET /v1/retention reports (give both the same).
              ...(config.detector.forgetAfterMs === undefined ? {} : { platformForgetAfterMs: config.detector.forgetAfterMs }),
            },
            config.query!,
          ),
      },
      config,
      logger,
    );
  } catch (err) {
    await webhooks?.close();
    throw err;
  }
  if (running === null) {
    await webhooks?.close();
    return null;
  }
  const service = running;
  return {
    url: service.url,
    close: async () => {
      await service.close();
      await webhooks?.close();
    },
  };
}
