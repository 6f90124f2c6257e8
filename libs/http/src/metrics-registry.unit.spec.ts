import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.ts';

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
});
