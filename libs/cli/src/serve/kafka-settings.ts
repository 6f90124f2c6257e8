import type { KafkaLogOptions } from '@vigil/log/kafka';

/** The operator's KafkaLog tuning from `VIGIL_KAFKA_*`; undefined keeps KafkaLog's own default. */
export interface KafkaSettings {
  /** `VIGIL_KAFKA_SESSION_TIMEOUT`: how long a silent consumer keeps its partitions (failover time). */
  readonly sessionTimeoutMs: number | undefined;
  /** `VIGIL_KAFKA_FETCH_BYTES`: most bytes fetched per partition in one request. */
  readonly fetchMaxBytesPerPartition: number;
  /** `VIGIL_KAFKA_REQUEST_TIMEOUT`: how long one broker request may stay unanswered before it fails (or is retried). */
  readonly requestTimeoutMs: number | undefined;
}

/** KafkaLog's default heartbeat interval, kept unless a short session timeout needs a faster one. */
const DEFAULT_HEARTBEAT_MS = 3_000;

/**
 * The KafkaLog options the settings stand for. A session timeout shorter than 9 s also shortens the heartbeat to a
 * third of it (Kafka's usual ratio), so that one late heartbeat does not cost a healthy consumer its partitions
 * (KafkaLog's 3 s heartbeat would leave a 6 s session a single spare beat).
 */
export function kafkaLogTuning(s: KafkaSettings): Pick<KafkaLogOptions, 'sessionTimeoutMs' | 'heartbeatIntervalMs' | 'fetchMaxBytesPerPartition' | 'requestTimeoutMs'> {
  return {
    fetchMaxBytesPerPartition: s.fetchMaxBytesPerPartition,
    ...(s.sessionTimeoutMs === undefined
      ? {}
      : { sessionTimeoutMs: s.sessionTimeoutMs, heartbeatIntervalMs: Math.min(DEFAULT_HEARTBEAT_MS, Math.floor(s.sessionTimeoutMs / 3)) }),
    ...(s.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: s.requestTimeoutMs }),
  };
}
