import { TransactionEndedError } from '../errors.ts';
import type { LogTransaction, ProduceRecord } from '../log-port.ts';

/** An offset commit recorded by `work`, applied with `sendOffsets` when the transaction commits. */
export interface RecordedOffset {
  readonly groupId: string;
  readonly topic: string;
  readonly partition: number;
  readonly nextOffset: number;
}

/**
 * What `work` asked a transaction to do, recorded first and applied afterwards, so a `work` that throws leaves nothing
 * behind and never opens a Kafka transaction at all. Using it after `work` returned throws, since that call would be lost.
 */
export class RecordedTransaction implements LogTransaction {
  readonly appends: Array<{ readonly topic: string; readonly records: readonly ProduceRecord[] }> = [];
  readonly offsets: RecordedOffset[] = [];
  readonly #transactionalId: string;
  #ended = false;

  constructor(transactionalId: string) {
    this.#transactionalId = transactionalId;
  }

  /** Records records to append (in order) when the transaction commits. */
  append(topic: string, records: readonly ProduceRecord[]): void {
    if (this.#ended) throw new TransactionEndedError(this.#transactionalId);
    if (records.length > 0) this.appends.push({ topic, records: [...records] });
  }

  /** Records a group's offset commit; the last one recorded for a group and partition wins. */
  commitOffset(groupId: string, topic: string, partition: number, nextOffset: number): void {
    if (this.#ended) throw new TransactionEndedError(this.#transactionalId);
    this.offsets.push({ groupId, topic, partition, nextOffset });
  }

  /** Closes recording; later calls throw. */
  end(): void {
    this.#ended = true;
  }

  /** Whether `work` recorded nothing (then no Kafka transaction is started). */
  get isEmpty(): boolean {
    return this.appends.length === 0 && this.offsets.length === 0;
  }
}
