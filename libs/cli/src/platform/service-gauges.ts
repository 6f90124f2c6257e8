import type { DetectorService } from '@vigil/detector';
import type { MetricsRegistry } from '@vigil/http';
import type { EventLog } from '@vigil/log';
import type { ProjectorService } from '@vigil/projector';

/**
 * Detector counters on /metrics, refreshed at scrape time: its own counters (`vigil_detector{counter}`), committed
 * transitions by target status (`vigil_transitions_total{to}`) and how far the slowest owned partition's event time
 * is behind the clock (`vigil_detector_lag_seconds`; about one tick interval when it keeps up).
 */
export function registerDetectorGauges(metrics: MetricsRegistry, detector: DetectorService, now: () => number = Date.now): void {
  const gauge = metrics.gauge('vigil_detector', 'Detector counters (late events, blind periods, outputs, ...)', ['counter']);
  const transitions = metrics.counter('vigil_transitions_total', 'Status transitions emitted by the detector, by the status moved to', ['to']);
  const lag = metrics.gauge('vigil_detector_lag_seconds', "Event time of the slowest owned partition's last tick, behind the clock");
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(detector.stats())) gauge.set({ counter: k }, v);
    for (const [to, n] of detector.transitionCounts()) transitions.advanceTo({ to }, n);
    const oldest = detector.oldestTick();
    if (oldest !== null) lag.set({}, Math.max(0, now() - oldest) / 1000);
  });
}

/** Projector counters on /metrics, refreshed at scrape time. */
export function registerProjectorGauges(metrics: MetricsRegistry, projector: ProjectorService): void {
  const gauge = metrics.gauge('vigil_projector', 'Projector counters', ['counter']);
  metrics.onCollect(() => {
    for (const [k, v] of Object.entries(projector.stats())) gauge.set({ counter: k }, v);
  });
}

/** A consumer group and the topic it reads, whose lag /metrics reports. */
export interface ConsumedTopic {
  readonly group: string;
  readonly topic: string;
}

/**
 * `vigil_consumer_lag_records{group, topic}`: records appended but not yet committed by the group, summed over the
 * topic's partitions, read from the log at scrape time. Group and topic names come from the platform's prefix, never
 * from callers, so the unauthenticated endpoint shows no tenant.
 */
export function registerConsumerLag(metrics: MetricsRegistry, log: EventLog, consumed: readonly ConsumedTopic[]): void {
  const gauge = metrics.gauge('vigil_consumer_lag_records', 'Records of a topic not yet committed by a consumer group', ['group', 'topic']);
  metrics.onCollect(async () => {
    for (const { group, topic } of consumed) {
      const partitions = await log.partitionCount(topic);
      let lag = 0;
      for (let p = 0; p < partitions; p++) {
        const [end, committed] = await Promise.all([log.endOffset(topic, p), log.committedOffset(group, topic, p)]);
        lag += Math.max(0, end - (committed ?? 0));
      }
      gauge.set({ group, topic }, lag);
    }
  });
}
