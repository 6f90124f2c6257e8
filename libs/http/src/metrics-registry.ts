/** Label values of one series. */
export type Labels = Readonly<Record<string, string>>;

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

function seriesKey(labelNames: readonly string[], labels: Labels): string {
  return labelNames.map((n) => `${n}="${escapeLabel(labels[n] ?? '')}"`).join(',');
}

/** A family of series with one name and fixed label names. */
abstract class Family {
  protected readonly values = new Map<string, number>();
  constructor(
    readonly name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    readonly type: 'counter' | 'gauge',
  ) {}

  protected add(labels: Labels, delta: number): void {
    const key = seriesKey(this.labelNames, labels);
    this.values.set(key, (this.values.get(key) ?? 0) + delta);
  }

  /** The current value of a series (0 if never touched). */
  value(labels: Labels = {}): number {
    return this.values.get(seriesKey(this.labelNames, labels)) ?? 0;
  }

  /** Prometheus text exposition of the family. */
  render(): string {
    const lines = [`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} ${this.type}`];
    for (const [key, value] of this.values) lines.push(`${this.name}${key === '' ? '' : `{${key}}`} ${value}`);
    return lines.join('\n');
  }
}

/** A monotonically increasing count. */
export class Counter extends Family {
  /** Adds `by` (default 1) to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    if (by < 0) throw new RangeError(`counter ${this.name} cannot decrease`);
    this.add(labels, by);
  }
}

/** A value that goes up and down. */
export class Gauge extends Family {
  /** Sets the series of `labels`. */
  set(labels: Labels, value: number): void {
    this.values.set(seriesKey(this.labelNames, labels), value);
  }
  /** Adds to the series of `labels`. */
  inc(labels: Labels = {}, by = 1): void {
    this.add(labels, by);
  }
  /** Subtracts from the series of `labels`. */
  dec(labels: Labels = {}, by = 1): void {
    this.add(labels, -by);
  }
}

/**
 * A tiny Prometheus registry (no client library is installed). One instance per process, shared by both service
 * plugins on the embedded app; asking twice for the same name returns the same family.
 */
export class MetricsRegistry {
  private readonly families = new Map<string, Family>();
  private readonly collectors: (() => void)[] = [];

  /** Runs `collect` before every render, to copy values kept elsewhere (service counters) into gauges. */
  onCollect(collect: () => void): void {
    this.collectors.push(collect);
  }

  /** Gets or creates a counter. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.family(name, () => new Counter(name, help, labelNames, 'counter'), Counter);
  }

  /** Gets or creates a gauge. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.family(name, () => new Gauge(name, help, labelNames, 'gauge'), Gauge);
  }

  /** The whole registry in Prometheus text format 0.0.4. */
  render(): string {
    for (const collect of this.collectors) collect();
    return [...this.families.values()].map((f) => f.render()).join('\n') + '\n';
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
