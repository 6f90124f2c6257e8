import type { AppendRequest } from './writer-thread-protocol.ts';

/**
 * Records queued for the writer thread at which they are handed over at once rather than at the end of the turn. A
 * turn that reads 16 batches of 100 beats parses them all before it ends (about 1 ms each), and the writer thread,
 * with nothing else to commit by then, sat idle until it got them all at once, and this thread in turn while it
 * committed them: the two threads worked by turns instead of together. Handed over at once, batches of 100 beats
 * reached 36,000–37,000 beats/s against 29,000–33,000 (`vigil up` under wrk, 3 alternating runs of each; the writer
 * thread alone, consumers off, 53,000–61,500 against 46,000–53,000). One message per batch costs this thread 5–25 µs;
 * single beats still share one message per turn, which is what makes handing them over cheap.
 */
export const EAGER_HANDOVER_RECORDS = 64;

/** How the queue reaches the writer thread, and when the end of this turn is (injected in tests). */
export interface AppendHandoverPorts {
  /** Posts requests to the writer thread, in order, as one message. */
  readonly post: (requests: AppendRequest[]) => void;
  /** Runs `flush` once this turn of the event loop is over (setImmediate). */
  readonly atEndOfTurn: (flush: () => void) => void;
}

/**
 * The HTTP thread's queue of appends for the writer thread: what a turn of the event loop asks for goes over in one
 * message at its end, unless `EAGER_HANDOVER_RECORDS` records are waiting, which go at once (with everything queued
 * before them, so the writer thread still gets the requests in the order they were made).
 */
export class AppendHandover {
  readonly #ports: AppendHandoverPorts;
  readonly #eagerRecords: number;
  #queue: AppendRequest[] = [];
  /** Records (a heartbeat body counts as one) in `#queue`. */
  #records = 0;
  #flushScheduled = false;

  constructor(ports: AppendHandoverPorts, eagerRecords: number = EAGER_HANDOVER_RECORDS) {
    this.#ports = ports;
    this.#eagerRecords = eagerRecords;
  }

  /** Queues `request` for the writer thread; hands the queue over now if it holds enough records. */
  push(request: AppendRequest): void {
    if (!this.#flushScheduled) {
      this.#flushScheduled = true;
      this.#ports.atEndOfTurn(() => {
        this.#flushScheduled = false;
        this.flush();
      });
    }
    this.#queue.push(request);
    this.#records += request.kind === 'heartbeats' ? 1 : request.records.length;
    if (this.#records >= this.#eagerRecords) this.flush();
  }

  /** Hands over what is queued, if anything. */
  flush(): void {
    if (this.#queue.length === 0) return;
    const requests = this.#queue;
    this.#queue = [];
    this.#records = 0;
    this.#ports.post(requests);
  }

  /** Drops what is queued (the thread is gone: its requests are answered with an error instead). */
  clear(): void {
    this.#queue = [];
    this.#records = 0;
  }
}
