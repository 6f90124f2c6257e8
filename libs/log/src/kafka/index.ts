/** The Kafka adapter of the log port (kafkajs), for distributed mode. */
export { KafkaLog } from './kafka-log.ts';
export { KafkaLogOptions, parseKafkaLogOptions } from './options.ts';
export type { ResolvedKafkaLogOptions } from './options.ts';
