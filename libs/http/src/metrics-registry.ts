import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { Counter as PromCounter, Gauge as PromGauge, Registry, collectDefaultMetrics } from 'prom-client';

/** Label values of one series. */
export type Labels = Readonly<Record<string, string>>;

/** One series' key in a family: each value length-prefixed, so no two label sets share one (built on every request). */
function seriesKey(labelNames: readonly string[], labels: Labels): string {
  let key = '';
  for (const n of labelNames) {
    const v = labels[n] ?? '';
    key += `${v.length}:${v};`;
  }
  return key;
}

/** Only the declared label names reach prom-client, each present (an absent one is the empty string). */
function pick(labelNames: readonly string[], labels: Labels): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of labelNames) out[n] = labels[n] ?? '';
  return out;
}

/**
 * A family of series with one name and fixed label names. It keeps each series' value beside prom-client's, so code
 * and tests can read a value synchronously (`value()`); prom-client renders the exposition.
 */
abstract class Family {
  protected readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: 'counter' | 'gauge' | 'histogram',
  ) {}

  /** The current value of a series (0 if never touched; for a histogram, the sum of observations). */
  value(labels: Labels = {}): number {
    return this.values.get(seriesKey(this.labelNames, labels)) ?? 0;
  }

  protected bump(labels: Labels, delta: number): void {
    const key = seriesKey(this.labelNames, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + delta);
  }
}

/** A counter's series bound to its labels once, for hot paths (one per request): `inc` only adds to a number. */
export interface CounterSeries {
  /** Adds `by` (default 1). */
  inc(by?: number): void;
}

/** What bound series have counted since prom-client last read them (moved into it at each render). */
interface PendingCount {
  readonly labels: Record<string, string>;
  delta: number;
}

/** A monotonically increasing count. */
export class Counter extends Family {
  private readonly metric: PromCounter<string>;
  private readonly pending = new Map<string, PendingCount>();
  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, 'counter');
    const pending = this.pending;
    this.metric = new PromCounter({
      name,
      help,
      labelNames: [...labelNames],
      registers: [registry],
      // prom-client calls this before each render: the bound series' counts join the family then, not per request.
      collect(this: PromCounter<string>) {
        for (const p of pending.values()) {
          if (p.delta === 0) continue;
          this.inc(p.labels, p.delta);
          p.delta = 0;
        }
      },
    });
  }

  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError(`counter ${this.name} cannot decrease`);
    this.bump(labels, by);
    this.metric.inc(pick(this.labelNames, labels), by);
  }

  /** The series of `labels`, bound once: its `inc` is a number add (the labels are hashed here, not on each call). */
  series(labels: Labels = {}): CounterSeries {
    const key = seriesKey(this.labelNames, labels);
    let p = this.pending.get(key);
    if (p === undefined) this.pending.set(key, (p = { labels: pick(this.labelNames, labels), delta: 0 }));
    const pending = p;
    const values = this.values;
    const name = this.name;
    return {
      inc(by = 1): void {
        if (by < 0) throw new RangeError(`counter ${name} cannot decrease`);
        pending.delta += by;
        values.set(key, (values.get(key) ?? 0) + by);
      },
    };
  }

  /**
   * Raises the series to `total`, a count kept elsewhere (a service's own counter, copied at scrape time); a lower
   * total than already reported is ignored, since a counter never goes down.
   */
  advanceTo(labels: Labels, total: number): void {
    const delta = total - this.value(labels);
    if (delta > 0) this.inc(labels, delta);
  }
}

/** A value that goes up and down. */
export class Gauge extends Family {
  private readonly metric: PromGauge<string>;
  constructor(registry: Registry, name: string, help: string, labelNames: readonly string[]) {
    super(name, help, labelNames, 'gauge');
    this.metric = new PromGauge({ name, help, labelNames: [...labelNames], registers: [registry] });
  }

  /** Sets the series of `labels`. */
  set(labels: Labels, value: number): void {
    this.values.set(seriesKey(this.labelNames, labels), value);
    this.metric.set(pick(this.labelNames, labels), value);
  }
  /** Adds to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    this.bump(labels, by);
    this.metric.inc(pick(this.labelNames, labels), by);
  }
  /** Subtracts from the series of `labels`. */
  dec(labels: Labels = {}, by = 1): void {
    this.bump(labels, -by);
    this.metric.dec(pick(this.labelNames, labels), by);
  }
}

/** A histogram's series bound to its labels once, for hot paths: `observe` is a bucket search and three adds. */
export interface HistogramSeries {
  /** Records one observation. */
  observe(value: number): void;
}

/** One series of a histogram: counts per bucket (not cumulative: summed when rendered), sum and count. */
class HistogramCell implements HistogramSeries {
  readonly counts: Float64Array;
  sum = 0;
  count = 0;
  constructor(
    readonly labelText: string,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length);
  }

  observe(value: number): void {
    const bounds = this.bounds;
    let i = 0;
    while (i < bounds.length && value > bounds[i]!) i++;
    if (i < bounds.length) this.counts[i]!++;
    this.sum += value;
    this.count++;
  }
}

/** A label value in the exposition format: backslash, double quote and newline escaped. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/**
 * A distribution of observations in buckets (latencies, in seconds). Kept and rendered here rather than by
 * prom-client: its `observe` hashes the label object on every call, which cost more per request than the route it
 * timed; a bound series (`series()`) pays for its labels once.
 */
export class Histogram extends Family {
  private readonly bounds: readonly number[];
  private readonly cells = new Map<string, HistogramCell>();
  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[]) {
    super(name, help, labelNames, 'histogram');
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  /** Records one observation in the series of `labels`. */
  observe(labels: Labels, value: number): void {
    this.cell(labels).observe(value);
  }

  /** The series of `labels`, bound once. */
  series(labels: Labels = {}): HistogramSeries {
    return this.cell(labels);
  }

  /** The sum of the observations of a series (0 if it has none). */
  override value(labels: Labels = {}): number {
    return this.cells.get(seriesKey(this.labelNames, labels))?.sum ?? 0;
  }

  /** The family in Prometheus text format (`le` first in each bucket's labels, as prom-client writes it). */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n')}`, `# TYPE ${this.name} histogram`];
    for (const cell of this.cells.values()) {
      const rest = cell.labelText === '' ? '' : `,${cell.labelText}`;
      let cumulative = 0;
      for (let i = 0; i < this.bounds.length; i++) {
        cumulative += cell.counts[i]!;
        lines.push(`${this.name}_bucket{le="${this.bounds[i]}"${rest}} ${cumulative}`);
      }
      lines.push(`${this.name}_bucket{le="+Inf"${rest}} ${cell.count}`);
      const labels = cell.labelText === '' ? '' : `{${cell.labelText}}`;
      lines.push(`${this.name}_sum${labels} ${cell.sum}`, `${this.name}_count${labels} ${cell.count}`);
    }
    return lines.join('\n');
  }

  private cell(labels: Labels): HistogramCell {
    const key = seriesKey(this.labelNames, labels);
    let cell = this.cells.get(key);
    if (cell === undefined) {
      const labelText = this.labelNames.map((n) => `${n}="${escapeLabelValue(labels[n] ?? '')}"`).join(',');
      this.cells.set(key, (cell = new HistogramCell(labelText, this.bounds)));
    }
    return cell;
  }
}

/** Buckets of request durations, in seconds: 1 ms to 10 s. */
export const DURATION_BUCKETS_SECONDS: readonly number[] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Name of the counter of time each thread's event loop spent running rather than waiting, by thread. */
export const THREAD_BUSY_METRIC = 'vigil_thread_busy_seconds_total';

/** Options of a registry. */
export interface MetricsRegistryOptions {
  /**
   * Adds prom-client's process metrics (CPU, memory, GC, `nodejs_eventloop_lag_*_seconds`) and this thread's
   * `vigil_thread_busy_seconds_total`: once per process, on the registry that `/metrics` serves. Off by default so
   * that tests can make many registries.
   */
  readonly processMetrics?: boolean;
  /** This thread's label in `vigil_thread_busy_seconds_total` (default `main`); only with `processMetrics`. */
  readonly threadName?: string;
}

/**
 * The process's Prometheus registry, backed by prom-client. One instance per process, shared by every service plugin
 * on the embedded app; asking twice for the same name returns the same family. `/metrics` is unauthenticated, so no
 * family may carry a tenant (or any other caller-chosen value) as a label.
 */
export class MetricsRegistry {
  /** The prom-client registry, for code that speaks prom-client directly. */
  readonly prom = new Registry();
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void | Promise<void>)[] = [];
  private readonly included: (() => Promise<string>)[] = [];

  constructor(options: MetricsRegistryOptions = {}) {
    if (options.processMetrics) {
      collectDefaultMetrics({ register: this.prom, eventLoopMonitoringPrecision: 10 });
      this.trackThreadBusy(options.threadName ?? 'main', () => performance.eventLoopUtilization());
    }
  }

  /**
   * Reports a thread's busy time (its event loop running callbacks, not waiting for I/O) as
   * `vigil_thread_busy_seconds_total{thread}`, read at scrape time. Per process CPU (`process_cpu_*`) cannot say which
   * thread is saturated; this can: a rate near 1 is a thread using a whole core, and divided by beats accepted it is
   * what a beat costs each thread (`npm run bench -- ingest` prints that). `utilization` is cumulative since the
   * thread started (`performance.eventLoopUtilization()`, or a worker's `worker.performance.eventLoopUtilization()`).
   */
  trackThreadBusy(thread: string, utilization: () => EventLoopUtilization): void {
    const busy = this.counter(THREAD_BUSY_METRIC, 'Time the thread spent running rather than waiting for I/O, by thread', ['thread']);
    this.onCollect(() => busy.advanceTo({ thread }, utilization().active / 1000));
  }

  /** Runs `collect` before every render, to copy values kept elsewhere (service counters, read-model counts) into families. */
  onCollect(collect: () => void | Promise<void>): void {
    this.collectors.push(collect);
  }

  /**
   * Appends families rendered by another registry (embedded mode's writer thread keeps the detector's, projector's and
   * notifier's) to every render; their names must not clash with this registry's. A source that fails is left out.
   */
  include(render: () => Promise<string>): void {
    this.included.push(render);
  }

  /** Gets or creates a counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.family(name, () => new Counter(this.prom, name, help, labelNames), Counter);
  }

  /** Gets or creates a gauge. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.family(name, () => new Gauge(this.prom, name, help, labelNames), Gauge);
  }

  /** Gets or creates a histogram (default buckets: request durations in seconds). */
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets: readonly number[] = DURATION_BUCKETS_SECONDS): Histogram {
    return this.family(name, () => new Histogram(name, help, labelNames, buckets), Histogram);
  }

  /** Content type of `render()`. */
  get contentType(): string {
    return this.prom.contentType;
  }

  /** The whole registry in Prometheus text format, after running the collectors (one failing does not stop the rest). */
  async render(): Promise<string> {
    const results = await Promise.allSettled(this.collectors.map(async (collect) => collect()));
    const failed = results.filter((r) => r.status === 'rejected').length;
    this.countCollectFailures(failed);
    const prom = await this.prom.metrics();
    const histograms = [...this.families.values()].filter((f): f is Histogram => f instanceof Histogram).map((h) => h.render());
    const own = histograms.length === 0 ? prom : `${[prom.trimEnd(), ...histograms].filter((t) => t.length > 0).join('\n')}\n`;
    if (this.included.length === 0) return own;
    const others = await Promise.allSettled(this.included.map(async (render) => render()));
    const texts = others.filter((r): r is PromiseFulfilledResult<string> => r.status === 'fulfilled').map((r) => r.value.trimEnd());
    this.countCollectFailures(others.length - texts.length);
    return [own.trimEnd(), ...texts.filter((t) => t.length > 0)].join('\n') + '\n';
  }

  private countCollectFailures(n: number): void {
    if (n > 0) this.counter('vigil_metrics_collect_failures_total', 'Scrape-time collectors that failed (their families keep the last values)').inc({}, n);
  }

  private family<F extends Family>(name: string, create: () => F, kind: abstract new (...args: never[]) => F): F {
    const existing = this.families.get(name);
    if (existing === undefined) {
      const created = create();
      this.families.set(name, created);
      return created;
    }
    if (!(existing instanceof kind)) throw new Error(`metric ${name} is already registered as a ${existing.type}`);
    return existing;
  }
}
