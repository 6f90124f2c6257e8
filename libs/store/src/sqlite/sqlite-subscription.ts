import { AsyncLocalStorage } from 'node:async_hooks';
import type { Logger } from 'pino';
import type { StoredEvent, StoreSubscription, SubscribeOptions } from '../event-store-port.ts';

/** Reads the next events after a position, in position order (synchronous: better-sqlite3). */
export type FetchAfter = (after: bigint, limit: number) => StoredEvent[];

/** Lets `close()` tell whether it is being called from inside this subscription's own handler. */
const insideHandler = new AsyncLocalStorage<SqliteSubscription>();

/**
 * A catch-up-then-live subscription over the SQLite store: reads pages after its position until none is left, then
 * sleeps until an in-process append wakes it or the poll interval passes (for appends by other processes). Events
 * are handed over one at a time; the next is read only after the handler resolved. If the handler (or a read)
 * throws, the subscription stops and reports through `onError` (as a dropped EventStoreDB subscription does): the
 * consumer resubscribes from its checkpoint, so nothing is skipped silently.
 */
export class SqliteSubscription implements StoreSubscription {
  private closed = false;
  private woken = false;
  private wakeWaiter: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(
    private readonly options: SubscribeOptions,
    private readonly fetchAfter: FetchAfter,
    private readonly settings: { pollIntervalMs: number; batchSize: number; logger: Logger },
    private readonly onEnd: (subscription: SqliteSubscription) => void,
  ) {
    // Started on the next turn so the caller holds the subscription before its handler first runs.
    this.done = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run())
      .finally(() => this.onEnd(this));
  }

  /** Wakes the subscription: new events may be there. */
  wake(): void {
    this.woken = true;
    const waiter = this.wakeWaiter;
    this.wakeWaiter = null;
    waiter?.();
  }

  /** Stops delivery; resolves once the handler in progress (if any) has finished, unless called from that handler. */
  async close(): Promise<void> {
    this.closed = true;
    this.wake();
    if (insideHandler.getStore() === this) return;
    await this.done;
  }

  private async run(): Promise<void> {
    let after = this.options.fromPosition ?? 0n;
    while (!this.closed) {
      this.woken = false;
      let batch: StoredEvent[];
      try {
        batch = this.fetchAfter(after, this.settings.batchSize);
      } catch (err) {
        this.fail(err, 'reading events failed');
        return;
      }
      if (batch.length === 0) {
        await this.sleep();
        continue;
      }
      for (const event of batch) {
        if (this.closed) return;
        try {
          await insideHandler.run(this, () => this.options.onEvent(event));
        } catch (err) {
          this.fail(err, 'event handler failed');
          return;
        }
        after = event.position;
      }
    }
  }

  private fail(err: unknown, what: string): void {
    this.closed = true;
    const onError = this.options.onError;
    if (onError) {
      try {
        onError(err);
        return;
      } catch (handlerErr) {
        this.settings.logger.error({ err: handlerErr }, 'subscription onError handler threw');
      }
    }
    this.settings.logger.error({ err }, `subscription stopped: ${what}`);
  }

  private sleep(): Promise<void> {
    if (this.woken || this.closed) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(() => {
        this.wakeWaiter = null;
        resolve();
      }, this.settings.pollIntervalMs);
      this.wakeWaiter = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }
}
