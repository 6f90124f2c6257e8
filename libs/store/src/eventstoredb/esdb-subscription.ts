import { AsyncLocalStorage } from 'node:async_hooks';
import type { AllStreamSubscription } from '@eventstore/db-client';
import type { Logger } from 'pino';
import type { StoreSubscription, SubscribeOptions } from '../event-store-port.ts';
import { StoreUnavailableError } from '../errors.ts';
import { mapEsdbError } from './map-esdb-error.ts';
import { toStoredEvent } from './to-stored-event.ts';

/** Lets `close()` tell whether it is being called from inside this subscription's own handler. */
const insideHandler = new AsyncLocalStorage<EsdbSubscription>();

/**
 * Wraps a catch-up subscription to `$all`: events are handed over one at a time (the next is pulled only after the
 * handler resolved, so the client's stream applies back-pressure). A handler error, a dropped connection or the
 * server ending the subscription stops it and is reported through `onError`; the consumer resubscribes from its
 * checkpoint.
 */
export class EsdbSubscription implements StoreSubscription {
  private closed = false;
  private readonly done: Promise<void>;

  constructor(
    private readonly source: AllStreamSubscription,
    private readonly options: SubscribeOptions,
    private readonly logger: Logger,
    onEnd: (subscription: EsdbSubscription) => void,
  ) {
    // A stream error with no listener would crash the process; errors are handled by the iteration below.
    source.on('error', () => {});
    this.done = this.run().finally(() => onEnd(this));
  }

  /** Stops delivery; resolves once the handler in progress (if any) has finished, unless called from that handler. */
  async close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      await this.unsubscribe();
    }
    if (insideHandler.getStore() === this) return;
    await this.done;
  }

  private async run(): Promise<void> {
    try {
      for await (const resolved of this.source) {
        if (this.closed) return;
        const event = toStoredEvent(resolved);
        if (event === null) continue;
        try {
          await insideHandler.run(this, () => this.options.onEvent(event));
        } catch (err) {
          this.fail(err, 'event handler failed');
          return;
        }
      }
      if (!this.closed) this.fail(new StoreUnavailableError('the EventStoreDB subscription ended unexpectedly'), 'server ended it');
    } catch (err) {
      if (!this.closed) this.fail(mapEsdbError(err, 'subscription to $all'), 'the subscription dropped');
    }
  }

  private fail(err: unknown, what: string): void {
    this.closed = true;
    void this.unsubscribe();
    const onError = this.options.onError;
    if (onError) {
      try {
        onError(err);
        return;
      } catch (handlerErr) {
        this.logger.error({ err: handlerErr }, 'subscription onError handler threw');
      }
    }
    this.logger.error({ err }, `subscription stopped: ${what}`);
  }

  private async unsubscribe(): Promise<void> {
    try {
      await this.source.unsubscribe();
    } catch (err) {
      this.logger.debug({ err }, 'unsubscribe failed (already ended)');
    }
  }
}
