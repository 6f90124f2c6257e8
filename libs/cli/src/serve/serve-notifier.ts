import type { MetricsRegistry } from '@vigil/http';
import { NotifierService, notifierGroupId } from '@vigil/notifier';
import { SqliteWebhookStore } from '@vigil/webhooks';
import type { Logger } from 'pino';
import { startConsumerService } from './consumer-service.ts';
import type { RunningService } from './running-service.ts';
import type { ServeConfig } from './serve-config.ts';

/**
 * `vigil serve notifier`: consumes status-transitions in its own group (`<prefix>notifier`) and delivers to the
 * webhooks of `VIGIL_WEBHOOK_STORE` (the file `vigil serve query` writes them to); its progress on the log is kept in
 * that store, with the deliveries, in one transaction. /readyz also asks the store; /metrics has the delivery counters.
 */
export function startNotifier(config: ServeConfig, logger: Logger, signal?: AbortSignal): Promise<RunningService | null> {
  return startConsumerService(
    {
      name: 'notifier',
      create: (log, topics, steps) => {
        const store = new SqliteWebhookStore({ path: config.webhookStore!.path });
        steps.add(() => store.close());
        // Built once the ops app's registry exists (`gauges` runs right after `create`, before `start`).
        let notifier: NotifierService | null = null;
        const build = (metrics?: MetricsRegistry): NotifierService =>
          new NotifierService({ log, topics, store, logger: logger.child({ module: 'notifier' }), ...(metrics ? { metrics } : {}) }, config.notifier!, notifierGroupId(config.topicPrefix));
        return {
          service: {
            start: () => (notifier ??= build()).start(),
            stop: async () => {
              await notifier?.stop();
            },
          },
          checks: [{ name: 'webhook-store', isReady: () => store.isReady() }],
          gauges: (metrics) => {
            notifier = build(metrics);
          },
        };
      },
    },
    config,
    logger,
    signal,
  );
}
