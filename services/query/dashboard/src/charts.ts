import type { MetricPoint } from '@vigil/contracts';
import uPlot from 'uplot';

/** One chart of the agent page: its title, its series and how a value reads. */
interface ChartSpec {
  readonly title: string;
  readonly series: readonly { label: string; stroke: string; value: (p: MetricPoint) => number | null }[];
  readonly unit: (v: number) => string;
  readonly range?: [number, number];
}

const CHARTS: readonly ChartSpec[] = [
  {
    title: 'Success rate',
    series: [{ label: 'success', stroke: '#1a7f37', value: (p) => (p.successRate === null ? null : p.successRate * 100) }],
    unit: (v) => `${v.toFixed(0)}%`,
    range: [0, 100],
  },
  {
    title: 'Latency',
    series: [
      { label: 'p50', stroke: '#0969da', value: (p) => p.latency?.p50 ?? null },
      { label: 'p95', stroke: '#bf8700', value: (p) => p.latency?.p95 ?? null },
      { label: 'p99', stroke: '#cf222e', value: (p) => p.latency?.p99 ?? null },
    ],
    unit: (v) => (v < 1000 ? `${Math.round(v)} ms` : `${(v / 1000).toFixed(1)} s`),
  },
  {
    title: 'Cost per window',
    series: [{ label: 'cost', stroke: '#8250df', value: (p) => p.costUsd }],
    unit: (v) => `$${v < 1 ? v.toFixed(4) : v.toFixed(2)}`,
  },
];

/**
 * Columns of uPlot data from metric windows, with a null wherever a window is missing, so a silent stretch shows as
 * a gap rather than a line drawn across it.
 */
export function columns(points: readonly MetricPoint[], stepMs: number, spec: ChartSpec): (number | null)[][] {
  const xs: number[] = [];
  const ys: (number | null)[][] = spec.series.map(() => []);
  let previous: number | null = null;
  for (const p of points) {
    const t = Date.parse(p.windowStart);
    if (previous !== null && t - previous > stepMs) {
      xs.push((previous + stepMs) / 1000);
      for (const y of ys) y.push(null);
    }
    xs.push(t / 1000);
    spec.series.forEach((s, i) => ys[i]?.push(s.value(p)));
    previous = t;
  }
  return [xs, ...ys];
}

/** The agent page's charts (uPlot, bundled and served by the query service): success rate, latency, cost. */
export class MetricCharts {
  readonly root = document.createElement('div');
  private plots: uPlot[] = [];
  private readonly resize = new ResizeObserver(() => this.fit());

  constructor() {
    this.root.className = 'charts';
    this.resize.observe(this.root);
  }

  /** Draws the windows over the chosen range (epoch ms); an empty range says so instead of drawing empty axes. */
  draw(points: readonly MetricPoint[], stepMs: number, fromMs: number, toMs: number): void {
    this.destroy();
    this.root.replaceChildren();
    if (points.length === 0) {
      const p = document.createElement('p');
      p.className = 'hint';
      p.textContent = 'No metric windows in this range: the agent sent no metrics with its beats.';
      this.root.appendChild(p);
      return;
    }
    const width = this.width();
    for (const spec of CHARTS) {
      const box = document.createElement('figure');
      box.className = 'chart';
      box.dataset['chart'] = spec.title;
      const caption = document.createElement('figcaption');
      caption.textContent = spec.title;
      box.appendChild(caption);
      this.root.appendChild(box);
      const plot = new uPlot(
        {
          width,
          height: 180,
          scales: { x: { time: true, range: [fromMs / 1000, toMs / 1000] }, y: spec.range === undefined ? {} : { range: spec.range } },
          axes: [{}, { values: (_u, ticks) => ticks.map((t) => spec.unit(t)), size: 70 }],
          series: [{}, ...spec.series.map((s) => ({ label: s.label, stroke: s.stroke, width: 2, spanGaps: false, points: { show: true, size: 4 }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : spec.unit(v)) }))],
          legend: { live: true },
        },
        columns(points, stepMs, spec) as uPlot.AlignedData,
        box,
      );
      this.plots.push(plot);
    }
  }

  destroy(): void {
    for (const p of this.plots) p.destroy();
    this.plots = [];
  }

  private width(): number {
    return Math.max(280, Math.floor(this.root.clientWidth || 800) - 8);
  }

  private fit(): void {
    const width = this.width();
    for (const p of this.plots) if (Math.abs(p.width - width) > 4) p.setSize({ width, height: 180 });
  }
}
