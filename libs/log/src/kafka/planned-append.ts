/** A kafkajs message of an append; `partition` is set when the log chose it (explicit or round-robin). */
export interface PlannedMessage {
  readonly key: string | null;
  readonly value: string;
  readonly partition?: number;
}

/** kafkajs messages of one append, with the partition each record will land on (same index). */
export interface PlannedAppend {
  readonly messages: PlannedMessage[];
  readonly partitions: number[];
}

/**
 * Bytes of key and value of a message: what the broker's `message.max.bytes` limit of a record batch is mostly made of
 * (record headers and batch framing come on top, hence budgets well under the limit).
 */
export function messageBytes(message: PlannedMessage): number {
  return Buffer.byteLength(message.value) + (message.key === null ? 0 : Buffer.byteLength(message.key));
}
