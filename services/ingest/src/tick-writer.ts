import { randomUUID } from 'node:crypto';
import { CONTRACT_VERSION, type TickEvent } from '@vigil/contracts';
import { intervalScheduler, type Cancel, type MetricsRegistry, type Scheduler } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { Logger } from 'pino';

/** Options of the tick writer. */
export interface TickWriterOptions {
  readonly log: EventLog;
  /** The agent-events topic. */
  readonly topic: string;
  readonly logger: Logger;
  /** Period; default 1000 ms (the detector's window). */
  readonly intervalMs?: number;
  /** Epoch ms; default `Date.now`. */
  readonly now?: () => number;
  /** Event ids; default `randomUUID`. */
  readonly newId?: () => string;
  /** Timers; tests inject a manual one. */
  readonly scheduler?: Scheduler;
  readonly metrics?: MetricsRegistry;
}

/**
 * The platform's clock: writes one `tick` into every partition of agent-events each interval. The detector never
 * reads the wall clock, so these ticks are its only time — and while nobody writes them (ingest down) no agent is
 * convicted for the silence the platform caused (ARCHITECTURE.md, Time).
 */
export class TickWriter {
  private readonly log: EventLog;
  private readonly topic: string;
  private readonly logger: Logger;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private readonly newId: () => string;
  private readonly scheduler: Scheduler;
  private readonly written: ((n: number) => void) | undefined;
  private readonly failed: (() => void) | undefined;
  private cancel: Cancel | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(options: TickWriterOptions) {
    this.log = options.log;
    this.topic = options.topic;
    this.logger = options.logger.child({ module: 'tick-writer', topic: options.topic });
    this.intervalMs = options.intervalMs ?? 1000;
    this.now = options.now ?? Date.now;
    this.newId = options.newId ?? randomUUID;
    this.scheduler = options.scheduler ?? intervalScheduler;
    const ticks = options.metrics?.counter('vigil_ticks_written_total', 'Tick events written (one per partition per interval)');
    const failures = options.metrics?.counter('vigil_tick_failures_total', 'Intervals whose ticks could not be written');
    this.written = ticks ? (n) => ticks.inc({}, n) : undefined;
    this.failed = failures ? () => failures.inc() : undefined;
    if (!(this.intervalMs > 0)) throw new RangeError('tick interval must be a positive number of ms');
  }

  /** Whether the timer is running. */
  get running(): boolean {
    return this.cancel !== null;
  }

  /** Starts writing a tick every interval (idempotent). */
  start(): void {
    if (this.cancel !== null) return;
    this.cancel = this.scheduler.every(this.intervalMs, () => this.onTimer());
    this.logger.info({ intervalMs: this.intervalMs }, 'tick writer started');
  }

  /** Stops the timer and waits for a tick being written. */
  async stop(): Promise<void> {
    if (this.cancel === null) return;
    this.cancel();
    this.cancel = null;
    await this.inFlight;
    this.logger.info('tick writer stopped');
  }

  /**
   * Writes one tick at time `at` (epoch ms) into every partition, in one append; resolves with the number of
   * partitions. The partition count is read each time, so partitions added to a Kafka topic get ticks too.
   */
  async tickOnce(at: number): Promise<number> {
    const partitions = await this.log.partitionCount(this.topic);
    const time = new Date(at).toISOString();
    const records = Array.from({ length: partitions }, (_, partition) => {
      const tick: TickEvent = { type: 'tick', version: CONTRACT_VERSION, id: this.newId(), time, data: { partition } };
      return { key: null, value: JSON.stringify(tick), partition };
    });
    await this.log.append(this.topic, records);
    this.written?.(partitions);
    return partitions;
  }

  private onTimer(): void {
    // A slow log must not pile up appends: skip this interval, the next tick carries a later time anyway.
    if (this.inFlight !== null) return;
    this.inFlight = this.tickOnce(this.now())
      .then(
        () => undefined,
        (err: unknown) => {
          this.failed?.();
          this.logger.warn({ err }, 'could not write ticks; the detector sees a gap and convicts nobody for it');
        },
      )
      .finally(() => {
        this.inFlight = null;
      });
  }
}
