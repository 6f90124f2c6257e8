import type { EventLoopUtilization } from 'node:perf_hooks';
import { Worker } from 'node:worker_threads';
import { VigilError } from '@vigil/contracts';
import type { AcceptedHeartbeats, HeartbeatRequestContext } from '@vigil/ingest';
import { LogUnavailableError, type ProduceRecord, type RecordPosition } from '@vigil/log';
import type { NotifierConfig } from '@vigil/notifier';
import type { AgentStatusChange } from '@vigil/store';
import type { Logger } from 'pino';
import { AppendHandover } from './append-handover.ts';
import { toThreadError, type AppendRequest, type FromWriter, type ThreadError, type ToWriter, type WriterThreadBootstrap, type WriterThreadInit } from './writer-thread-protocol.ts';

/** Longest the writer thread may take to open the file and start its consumers before `vigil up` gives up. */
const START_TIMEOUT_MS = 120_000;

function fromThreadError(e: ThreadError): Error {
  return e.code === null ? new Error(e.message) : new VigilError(e.code, e.message, { statusCode: e.statusCode, retriable: e.retriable, details: e.details });
}

interface Pending {
  resolve(value: RecordPosition[] | AcceptedHeartbeats): void;
  reject(err: Error): void;
}

/**
 * The HTTP thread's handle on embedded mode's writer thread (writer-thread-main.ts): appends handed over in one
 * message per turn of the event loop, or at once for large ones (AppendHandover), and answered once committed there, the thread's metric families for /metrics,
 * its notifier's start, an orderly stop, and `failed`, which settles if the thread dies (every append in flight is then rejected
 * with a retriable LogUnavailableError, so clients get 503 and retry, and nothing is acknowledged that was not written).
 */
export class WriterThread {
  readonly #worker: Worker;
  readonly #logger: Logger;
  readonly #pending = new Map<number, Pending>();
  readonly #metricWaiters = new Map<number, (text: string) => void>();
  readonly #statusListeners = new Set<(changes: readonly AgentStatusChange[]) => void>();
  #onNotifierStarted: ((error: ThreadError | null) => void) | null = null;
  readonly #handover: AppendHandover;
  #nextId = 1;
  #gone: Error | null = null;
  #stopping = false;
  #onStopped: (() => void) | null = null;
  #onFailed: ((err: Error) => void) | null = null;
  /** Settles with the reason if the thread ends other than by `stop()`. */
  readonly failed: Promise<Error>;

  private constructor(worker: Worker, logger: Logger) {
    this.#worker = worker;
    this.#logger = logger;
    this.#handover = new AppendHandover({
      post: (requests) => {
        if (this.#gone !== null) return;
        try {
          this.#post({ type: 'append', requests });
        } catch (err) {
          // Posted from inside one request's promise (AppendHandover hands a large one over at once), so a throw would
          // reach that request alone and leave the others of the message waiting forever: every one is answered.
          const error = err instanceof Error ? err : new Error(String(err));
          for (const { id } of requests) {
            this.#pending.get(id)?.reject(error);
            this.#pending.delete(id);
          }
        }
      },
      atEndOfTurn: (flush) => setImmediate(flush),
    });
    this.failed = new Promise<Error>((resolve) => (this.#onFailed = resolve));
  }

  /** Starts the thread and resolves once its detector and projector run; rejects with the thread's own error. */
  static async start(init: WriterThreadInit, logger: Logger): Promise<WriterThread> {
    const fromDist = !import.meta.url.endsWith('.ts');
    const bootstrap: WriterThreadBootstrap = { entry: new URL(`./writer-thread-main${fromDist ? '.js' : '.ts'}`, import.meta.url).href, fromDist };
    const worker = new Worker(new URL('../../bin/writer-thread.js', import.meta.url), { workerData: { init, bootstrap }, name: 'vigil-writer' });
    const thread = new WriterThread(worker, logger);
    await thread.#started();
    return thread;
  }

  #started(): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        reject(new Error(`the writer thread did not start within ${START_TIMEOUT_MS / 1000} s`));
        void this.#worker.terminate();
      }, START_TIMEOUT_MS);
      let ready = false;
      this.#worker.on('message', (message: FromWriter) => {
        if (message.type === 'ready') {
          ready = true;
          clearTimeout(timer);
          resolve();
        } else if (message.type === 'failed' && !ready) {
          clearTimeout(timer);
          reject(fromThreadError(message.error));
        } else {
          this.#handle(message);
        }
      });
      this.#worker.on('error', (err) => {
        if (!ready) {
          clearTimeout(timer);
          reject(err);
        }
        this.#end(err);
      });
      this.#worker.on('exit', (code) => {
        if (!ready) {
          clearTimeout(timer);
          reject(new Error(`the writer thread exited (code ${code}) before it was ready`));
        }
        this.#end(new Error(`the writer thread exited (code ${code})`));
      });
    });
  }

  #handle(message: FromWriter): void {
    switch (message.type) {
      case 'appended':
        for (const result of message.results) {
          const pending = this.#pending.get(result.id);
          if (pending === undefined) continue;
          this.#pending.delete(result.id);
          if ('error' in result) pending.reject(fromThreadError(result.error));
          else pending.resolve('positions' in result ? result.positions : result.accepted);
        }
        break;
      case 'statuses':
        for (const listener of this.#statusListeners) listener(message.changes);
        break;
      case 'metrics':
        this.#metricWaiters.get(message.id)?.(message.text);
        this.#metricWaiters.delete(message.id);
        break;
      case 'notifier-started':
        this.#onNotifierStarted?.(message.error);
        this.#onNotifierStarted = null;
        break;
      case 'stopped':
        this.#onStopped?.();
        break;
      case 'failed':
        this.#logger.error({ err: fromThreadError(message.error) }, 'the writer thread failed');
        break;
      case 'ready':
        break;
    }
  }

  /** The thread is gone: nothing in flight can be answered any more. */
  #end(reason: Error): void {
    if (this.#gone !== null) return;
    this.#gone = reason;
    const err = new LogUnavailableError(`the embedded log's writer thread is gone (${reason.message})`, reason);
    for (const pending of this.#pending.values()) pending.reject(err);
    this.#pending.clear();
    this.#handover.clear();
    for (const resolve of this.#metricWaiters.values()) resolve('');
    this.#metricWaiters.clear();
    this.#onNotifierStarted?.(toThreadError(reason));
    this.#onNotifierStarted = null;
    this.#onStopped?.();
    if (!this.#stopping) {
      this.#logger.fatal({ err: reason }, 'the writer thread ended unexpectedly');
      this.#onFailed?.(reason);
    }
  }

  /** Appends through the writer thread's log; resolves with the positions once that log committed them. */
  append(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    return this.#appendRecords('records', topic, records);
  }

  /**
   * Appends the records of heartbeat events built on this thread (`heartbeatRecordsOf`, nothing else: the writer
   * thread's consumers take each value as decoded by JSON.parse alone); resolves with the positions once committed.
   */
  appendHeartbeatRecords(topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    return this.#appendRecords('heartbeat-records', topic, records);
  }

  #appendRecords(kind: 'records' | 'heartbeat-records', topic: string, records: readonly ProduceRecord[]): Promise<RecordPosition[]> {
    if (records.length === 0 && this.#gone === null) return Promise.resolve([]);
    return this.#request<RecordPosition[]>((id) => ({ kind, id, topic, records: [...records] }));
  }

  /**
   * Hands the JSON text of a heartbeat body to the writer thread, which parses, validates and builds its events and
   * appends them; resolves once committed, rejects with the thread's MalformedJsonError or ValidationError (same code,
   * message and field) for a bad body, which appends nothing.
   */
  appendHeartbeats(topic: string, text: string, context: HeartbeatRequestContext): Promise<AcceptedHeartbeats> {
    return this.#request<AcceptedHeartbeats>((id) => ({ kind: 'heartbeats', id, topic, text, context: { tenant: context.tenant, receivedAt: context.receivedAt } }));
  }

  /** Queues a request for the writer thread (AppendHandover); its answer settles the promise. */
  #request<T extends RecordPosition[] | AcceptedHeartbeats>(build: (id: number) => AppendRequest): Promise<T> {
    if (this.#gone !== null) return Promise.reject(new LogUnavailableError(`the embedded log's writer thread is gone (${this.#gone.message})`, this.#gone));
    const id = this.#nextId++;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (value: RecordPosition[] | AcceptedHeartbeats) => void, reject });
      this.#handover.push(build(id));
    });
  }

  #post(message: ToWriter): void {
    this.#worker.postMessage(message);
  }

  /** Calls `listener` with each batch of statuses the thread's read model committed, in commit order. */
  onStatusChanges(listener: (changes: readonly AgentStatusChange[]) => void): void {
    this.#statusListeners.add(listener);
  }

  /** How long the thread's event loop has been busy and idle since it started (read from this thread, no message). */
  eventLoopUtilization(): EventLoopUtilization {
    return this.#worker.performance.eventLoopUtilization();
  }

  /** The thread's metric families (detector, projector, notifier) in Prometheus text; empty if it is gone or slow. */
  metricsText(): Promise<string> {
    if (this.#gone !== null) return Promise.resolve('');
    const id = this.#nextId++;
    return new Promise<string>((resolve) => {
      const timer = setTimeout(() => {
        this.#metricWaiters.delete(id);
        resolve('');
      }, 5_000);
      this.#metricWaiters.set(id, (text) => {
        clearTimeout(timer);
        resolve(text);
      });
      this.#post({ type: 'metrics', id });
    });
  }

  /** Starts the thread's notifier with its settings (known once the HTTP address is); rejects with its error. */
  startNotifier(config: NotifierConfig): Promise<void> {
    if (this.#gone !== null) return Promise.reject(this.#gone);
    return new Promise<void>((resolve, reject) => {
      this.#onNotifierStarted = (error) => (error === null ? resolve() : reject(fromThreadError(error)));
      this.#post({ type: 'start-notifier', config });
    });
  }

  /**
   * Ends the thread at once, as a crash would (tests; a fatal failure): what it committed stays in the file, what was
   * in flight is rejected with a retriable LogUnavailableError, and `failed` settles.
   */
  async terminate(): Promise<void> {
    await this.#worker.terminate();
  }

  /** Stops the detector and projector (committing what they handled), closes the thread's files and ends it. */
  async stop(): Promise<void> {
    if (this.#gone !== null) return;
    this.#stopping = true;
    this.#handover.flush();
    const stopped = new Promise<void>((resolve) => (this.#onStopped = resolve));
    this.#post({ type: 'stop' });
    await stopped;
    await this.#worker.terminate().catch(() => undefined);
  }
}
