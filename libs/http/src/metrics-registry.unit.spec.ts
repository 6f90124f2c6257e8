import { describe, expect, it } from 'vitest';
import { MetricsRegistry, THREAD_BUSY_METRIC } from './metrics-registry.ts';

describe('MetricsRegistry', () => {
  it('renders counters, gauges and histograms in Prometheus text format', async () => {
    const registry = new MetricsRegistry();
    registry.counter('vigil_things_total', 'Things', ['kind']).inc({ kind: 'a' }, 2);
    registry.gauge('vigil_open', 'Open').set({}, 3);
    registry.histogram('vigil_wait_seconds', 'Wait', ['route'], [0.1, 1]).observe({ route: '/x' }, 0.5);
    const text = await registry.render();
    expect(text).toContain('# TYPE vigil_things_total counter\nvigil_things_total{kind="a"} 2');
    expect(text).toContain('# TYPE vigil_open gauge\nvigil_open 3');
    expect(text).toContain('vigil_wait_seconds_bucket{le="0.1",route="/x"} 0');
    expect(text).toContain('vigil_wait_seconds_bucket{le="1",route="/x"} 1');
    expect(text).toContain('vigil_wait_seconds_count{route="/x"} 1');
  });

  it('counts through bound series like through inc, in value() at once and in the render', async () => {
    const registry = new MetricsRegistry();
    const counter = registry.counter('vigil_bound_total', 'Bound', ['kind']);
    const a = counter.series({ kind: 'a' });
    a.inc();
    a.inc(4);
    counter.inc({ kind: 'a' }, 2);
    expect(counter.value({ kind: 'a' })).toBe(7);
    expect(() => a.inc(-1)).toThrow(/cannot decrease/);
    expect(await registry.render()).toContain('vigil_bound_total{kind="a"} 7');
    a.inc();
    // A second render adds only what was counted since the first.
    expect(await registry.render()).toContain('vigil_bound_total{kind="a"} 8');
  });

  it('renders a histogram cumulatively, with +Inf, sum and count, bound series and escaped labels', async () => {
    const registry = new MetricsRegistry();
    const histogram = registry.histogram('vigil_h_seconds', 'H', ['route'], [1, 0.1]);
    const x = histogram.series({ route: 'a"b' });
    for (const v of [0.05, 0.1, 0.5, 3]) x.observe(v);
    histogram.observe({ route: 'a"b' }, 1);
    const text = await registry.render();
    expect(text).toContain('# TYPE vigil_h_seconds histogram');
    expect(text).toContain('vigil_h_seconds_bucket{le="0.1",route="a\\"b"} 2');
    expect(text).toContain('vigil_h_seconds_bucket{le="1",route="a\\"b"} 4');
    expect(text).toContain('vigil_h_seconds_bucket{le="+Inf",route="a\\"b"} 5');
    expect(text).toContain('vigil_h_seconds_sum{route="a\\"b"} 4.65');
    expect(text).toContain('vigil_h_seconds_count{route="a\\"b"} 5');
    expect(histogram.value({ route: 'a"b' })).toBeCloseTo(4.65);
    const unlabelled = registry.histogram('vigil_u_seconds', 'U', [], [1]);
    unlabelled.observe({}, 2);
    expect(await registry.render()).toContain('vigil_u_seconds_bucket{le="1"} 0\nvigil_u_seconds_bucket{le="+Inf"} 1\nvigil_u_seconds_sum 2\nvigil_u_seconds_count 1');
  });

  it('returns the same family when asked twice, so two plugins share a counter', () => {
    const registry = new MetricsRegistry();
    registry.counter('c_total', 'C').inc();
    registry.counter('c_total', 'C').inc();
    expect(registry.counter('c_total', 'C').value()).toBe(2);
  });

  it('refuses one name as two kinds', () => {
    const registry = new MetricsRegistry();
    registry.counter('x', 'X');
    expect(() => registry.gauge('x', 'X')).toThrow(/already registered/);
  });

  it('escapes label values', async () => {
    const registry = new MetricsRegistry();
    registry.counter('e_total', 'E', ['v']).inc({ v: 'a"b\\c\nd' });
    expect(await registry.render()).toContain('e_total{v="a\\"b\\\\c\\nd"} 1');
  });

  it('runs async collectors before rendering, and counts one that fails without losing the rest', async () => {
    const registry = new MetricsRegistry();
    const gauge = registry.gauge('g', 'G');
    registry.onCollect(async () => gauge.set({}, 7));
    registry.onCollect(async () => {
      throw new Error('read model closed');
    });
    const text = await registry.render();
    expect(text).toContain('g 7');
    expect(text).toContain('vigil_metrics_collect_failures_total 1');
  });

  it('raises a copied counter to a total kept elsewhere, never down', async () => {
    const registry = new MetricsRegistry();
    const c = registry.counter('copied_total', 'Copied', ['to']);
    c.advanceTo({ to: 'degraded' }, 5);
    c.advanceTo({ to: 'degraded' }, 3);
    expect(c.value({ to: 'degraded' })).toBe(5);
    expect(await registry.render()).toContain('copied_total{to="degraded"} 5');
  });

  it('adds process metrics, event-loop delay included, only when asked', async () => {
    expect(await new MetricsRegistry().render()).not.toContain('nodejs_eventloop_lag');
    const text = await new MetricsRegistry({ processMetrics: true }).render();
    expect(text).toContain('nodejs_eventloop_lag_p99_seconds');
    expect(text).toContain('process_cpu_seconds_total');
  });

  it("reports each tracked thread's busy seconds from its event-loop utilisation, never going down", async () => {
    const registry = new MetricsRegistry();
    let active = 1_500;
    registry.trackThreadBusy('writer', () => ({ active, idle: 0, utilization: 1 }));
    expect(await registry.render()).toContain(`# TYPE ${THREAD_BUSY_METRIC} counter\n${THREAD_BUSY_METRIC}{thread="writer"} 1.5`);
    active = 500; // a thread that ended reads as zero: the total it reached stays
    expect(await registry.render()).toContain(`${THREAD_BUSY_METRIC}{thread="writer"} 1.5`);
    active = 4_250;
    expect(await registry.render()).toContain(`${THREAD_BUSY_METRIC}{thread="writer"} 4.25`);
  });

  it('counts this thread as busy while it runs, under the name given', async () => {
    const registry = new MetricsRegistry({ processMetrics: true, threadName: 'http' });
    const busy = (text: string): number => Number(new RegExp(`^${THREAD_BUSY_METRIC}\\{thread="http"\\} (\\S+)$`, 'm').exec(text)?.[1]);
    const before = busy(await registry.render());
    const start = performance.now();
    while (performance.now() - start < 30); // the thread runs 30 ms without waiting
    const after = busy(await registry.render());
    expect(after - before).toBeGreaterThanOrEqual(0.025);
    expect(await new MetricsRegistry({ processMetrics: true }).render()).toContain(`${THREAD_BUSY_METRIC}{thread="main"}`);
  });
});
