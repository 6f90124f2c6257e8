import { describe, expect, it } from 'vitest';
import { MetricsRegistry } from './metrics-registry.ts';

describe('MetricsRegistry', () => {
  it('renders counters and gauges in Prometheus text format', () => {
    const registry = new MetricsRegistry();
    registry.counter('vigil_things_total', 'Things', ['kind']).inc({ kind: 'a' }, 2);
    registry.gauge('vigil_open', 'Open').set({}, 3);
    const text = registry.render();
    expect(text).toContain('# TYPE vigil_things_total counter\nvigil_things_total{kind="a"} 2');
    expect(text).toContain('# TYPE vigil_open gauge\nvigil_open 3');
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

  it('escapes label values', () => {
    const registry = new MetricsRegistry();
    registry.counter('e_total', 'E', ['v']).inc({ v: 'a"b\\c\nd' });
    expect(registry.render()).toContain('e_total{v="a\\"b\\\\c\\nd"} 1');
  });
});
