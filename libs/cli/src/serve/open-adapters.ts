import { EmbeddedLog, type EventLog } from '@vigil/log';
import { SqliteEventStore, SqliteReadModel, type EventStore } from '@vigil/store';
import type { Logger } from 'pino';
import type { LogSpec, ReadModelSpec, StoreSpec } from './adapter-specs.ts';
import { kafkaLogTuning, type KafkaSettings } from './kafka-settings.ts';

/**
 * Opens the log `VIGIL_LOG` names, with the `VIGIL_KAFKA_*` tuning in Kafka mode (null: KafkaLog's defaults); kafkajs
 * is loaded only in Kafka mode, so an embedded service starts faster.
 */
export async function openLog(spec: LogSpec, clientId: string, logger: Logger, kafka: KafkaSettings | null = null): Promise<EventLog> {
  if (spec.kind === 'sqlite') return new EmbeddedLog({ path: spec.path, logger });
  const { KafkaLog } = await import('@vigil/log/kafka');
  return new KafkaLog({ brokers: [...spec.brokers], clientId, logger, ...(kafka === null ? {} : kafkaLogTuning(kafka)) });
}

/**
 * Opens the event store `VIGIL_STORE` names. The EventStoreDB client (gRPC) is imported only for an `esdb:` store, so
 * a SQLite-only process never loads it.
 */
export async function openStore(spec: StoreSpec, logger: Logger): Promise<EventStore> {
  if (spec.kind === 'sqlite') return new SqliteEventStore({ path: spec.path, logger });
  const { EsdbEventStore } = await import('@vigil/store/eventstoredb');
  return new EsdbEventStore({ connectionString: spec.connectionString, logger });
}

/** Opens the read model `VIGIL_READ_MODEL` names. */
export function openReadModel(spec: ReadModelSpec, logger: Logger): SqliteReadModel {
  return new SqliteReadModel({ path: spec.path, logger });
}
