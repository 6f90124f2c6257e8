import type { DetectorService } from '@vigil/detector';
import type { MetricsRegistry } from '@vigil/http';
import type { ProjectorService } from '@vigil/projector';

/** Detector counters on /metrics, refreshed at scrape time. */
export function registerDetectorGauges(metrics: MetricsRegistry, detector: DetectorService): void {
  const gauge = metrics.gauge('vigil_detector', 'Detector counters (late events, blind periods, outputs, ...)', ['counter']);
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(detector.stats())) gauge.set({ counter: k }, v);
  });
}

/** Projector counters on /metrics, refreshed at scrape time. */
export function registerProjectorGauges(metrics: MetricsRegistry, projector: ProjectorService): void {
  const gauge = metrics.gauge('vigil_projector', 'Projector counters', ['counter']);
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(projector.stats())) gauge.set({ counter: k }, v);
  });
}
