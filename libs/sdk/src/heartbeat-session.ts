import { EventEmitter } from 'node:events';
import { z } from 'zod';
import { MetricSample, Progress, VigilError } from '@vigil/contracts';
import type { HeartbeatInput, HeartbeatResponse } from '@vigil/contracts';
import { fullJitterDelay } from './backoff.ts';
import { VigilApiError, VigilUsageError } from './errors.ts';
import { EventLoopDelayMonitor } from './event-loop-delay.ts';
import type { VigilLogger } from './logger.ts';
import { MetricBuffer } from './metric-buffer.ts';
import { MAX_BUFFERED_METRICS } from './options.ts';
import type { KillInfo, ResolvedHeartbeatOptions } from './options.ts';

/** Shortest and longest wait a `Retry-After` may impose: never a busy loop, never silent for hours. */
const RETRY_AFTER_MIN_MS = 1_000;
const RETRY_AFTER_MAX_MS = 3_600_000;
/** Bound of the goodbye's first retry; it doubles after each failure, with full jitter, within `stopTimeoutMs`. */
const GOODBYE_BACKOFF_BASE_MS = 250;

/** What a session needs from the client: the two calls it makes, a clock, randomness for jitter and a logger. */
export interface HeartbeatPort {
  heartbeat(input: HeartbeatInput): Promise<HeartbeatResponse>;
  goodbye(agentId: string, body: { instanceId?: string; reason?: string }): Promise<void>;
  now(): number;
  /** Uniform in [0, 1): `Math.random` outside tests. */
  random(): number;
  readonly logger: VigilLogger;
}

/** Result of one accepted beat, for observers of the `'beat'` event. */
export interface BeatResult {
  readonly agentId: string;
  readonly seq: number;
  /** Metric samples the beat carried. */
  readonly metrics: number;
  readonly killed: boolean;
  readonly status: string | null;
}

/** Events of a heartbeat session (and, with the agent id added to `error`, of the mesh). */
export interface HeartbeatEvents {
  /** A beat was accepted. */
  beat: [result: BeatResult];
  /** A beat's answer says the agent was killed (fired once per kill). */
  killed: [info: KillInfo];
  /** A killed agent was resumed (fired once per resume). */
  resumed: [info: KillInfo];
  /** A beat or the goodbye failed; beating goes on. Emitted only when someone listens, so it never crashes. */
  error: [error: Error];
  /** `stop()` finished: no more beats, goodbye sent or given up. */
  stopped: [];
}

/** Options of `stop()`. */
export interface StopOptions {
  /** Why the agent is going away; shown to operators on the `stopped` transition. */
  readonly reason?: string;
  /**
   * Longest `stop()` takes, in ms (5,000 by default): the beat in flight, a last beat with unsent metrics, and the
   * goodbye, retried with backoff while time is left, so a brief 503 does not leave the agent drifting to unreachable.
   */
  readonly timeoutMs?: number;
}

/** Default bound of `stop()`. */
export const DEFAULT_STOP_TIMEOUT_MS = 5_000;

/** A beat that left but got no answer that settles it: sent again as it was, same `seq`, until settled. */
interface PendingBeat {
  readonly input: HeartbeatInput;
  readonly seq: number;
  readonly metrics: readonly MetricSample[];
}

/** The goodbye ran out of `stop()`'s time. */
class GoodbyeTimeout extends Error {}

/** Resolves with `work`, or gives up (resolves undefined, or rejects with GoodbyeTimeout when `label` is given) after `ms`. */
async function withinDeadline<T>(work: Promise<T>, ms: number, label?: string): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<undefined>((resolve, reject) => {
    timer = setTimeout(() => (label === undefined ? resolve(undefined) : reject(new GoodbyeTimeout(`${label}: stop() ran out of time`))), Math.max(0, ms));
    timer.unref();
  });
  try {
    return await Promise.race([work, expired]);
  } finally {
    clearTimeout(timer);
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/**
 * The heartbeat of one agent: beats at once and then every interval (a `setTimeout` chain, unref'd so that it never
 * keeps the process alive), carries the metrics and progress reported between beats, notices kill and resume, and
 * says goodbye on `stop()`. Failures never escape the timer: they are logged, emitted as `'error'`, and the next beat
 * tries again (after `Retry-After` when the server sent one).
 */
export class HeartbeatSession extends EventEmitter<HeartbeatEvents> {
  readonly agentId: string;
  readonly instanceId: string;
  readonly intervalSeconds: number;

  readonly #port: HeartbeatPort;
  readonly #options: ResolvedHeartbeatOptions;
  readonly #metrics = new MetricBuffer(MAX_BUFFERED_METRICS);
  #progress: { completed: number; inFlight: number } | undefined;
  #seq = 0;
  #pending: PendingBeat | undefined;
  /** Failures in a row, for the backoff; 0 after an accepted beat. */
  #failures = 0;
  #eventLoop: EventLoopDelayMonitor | undefined;
  #invalidInputs = 0;
  #killed = false;
  #state: 'idle' | 'running' | 'stopped' = 'idle';
  #timer: NodeJS.Timeout | undefined;
  #inflight: Promise<number | undefined> | undefined;
  #stopping: Promise<void> | undefined;
  #beatsAccepted = 0;
  #beatsFailed = 0;

  constructor(port: HeartbeatPort, options: ResolvedHeartbeatOptions) {
    super();
    this.#port = port;
    this.#options = options;
    this.agentId = options.agentId;
    this.instanceId = options.instanceId;
    this.intervalSeconds = options.intervalSeconds;
  }

  /** Whether the last answer said the agent is killed. */
  get killed(): boolean {
    return this.#killed;
  }

  /** Whether beats are being sent. */
  get running(): boolean {
    return this.#state === 'running';
  }

  /**
   * Counters for diagnostics: beats accepted and failed, metric samples waiting (a beat being retried included) and
   * dropped, calls refused as invalid, next `seq`.
   */
  get stats(): { beatsAccepted: number; beatsFailed: number; pendingMetrics: number; droppedMetrics: number; invalidInputs: number; nextSeq: number } {
    return {
      beatsAccepted: this.#beatsAccepted,
      beatsFailed: this.#beatsFailed,
      pendingMetrics: this.#metrics.size + (this.#pending?.metrics.length ?? 0),
      droppedMetrics: this.#metrics.dropped,
      invalidInputs: this.#invalidInputs,
      nextSeq: this.#seq,
    };
  }

  /** Starts beating; the first beat leaves at once. Called by `mesh.startHeartbeat`. */
  start(): this {
    if (this.#state !== 'idle') return this;
    this.#state = 'running';
    if (this.#options.eventLoopDelay) this.#eventLoop = new EventLoopDelayMonitor();
    void this.#tick();
    return this;
  }

  /**
   * Records one unit of work; it rides on the next beat. Ignored after `stop()` or with `includeMetrics: false`.
   * An invalid sample is dropped and reported (logger, `'error'`, `stats.invalidInputs`), never thrown.
   */
  reportMetric(sample: MetricSample): void {
    const parsed = MetricSample.safeParse(sample);
    if (!parsed.success) return this.#invalid('reportMetric', parsed.error);
    if (this.#state === 'stopped' || !this.#options.includeMetrics) return;
    this.#metrics.push(parsed.data);
  }

  /**
   * Records the agent's progress (completed so far, in flight now); every beat carries the latest. Invalid progress
   * is dropped and reported like an invalid sample.
   */
  progress(progress: Progress): void {
    const parsed = Progress.safeParse(progress);
    if (!parsed.success) return this.#invalid('progress', parsed.error);
    this.#progress = { ...parsed.data };
  }

  /**
   * Counts a unit of work for you: in flight until `work` settles, then completed (whether it fulfilled or
   * rejected), so beats carry progress and the platform can tell stalled from busy. Returns `work` itself, so
   * `await session.track(doWork())` reads naturally; a metric sample is recorded as well unless `metric: false`.
   */
  track<T>(work: PromiseLike<T>, options: { metric?: boolean } = {}): PromiseLike<T> {
    if (work === null || typeof (work as { then?: unknown } | undefined)?.then !== 'function') {
      this.#invalid('track', new Error('track() takes a promise (the work to count)'));
      return work;
    }
    const progress = (this.#progress ??= { completed: 0, inFlight: 0 });
    progress.inFlight++;
    const started = this.#port.now();
    const settle = (success: boolean): void => {
      const current = (this.#progress ??= { completed: 0, inFlight: 1 });
      current.inFlight = Math.max(0, current.inFlight - 1);
      current.completed++;
      if (options.metric !== false) this.reportMetric({ success, latencyMs: Math.max(0, this.#port.now() - started) });
    };
    // A separate chain: the caller's promise (and its rejection, which the caller handles) is returned untouched.
    Promise.resolve(work).then(
      () => settle(true),
      () => settle(false),
    );
    return work;
  }

  /**
   * Stops beating and says goodbye (`POST /v1/agents/:id/goodbye`), after the beat in flight and a last beat that
   * flushes unsent metrics, so the goodbye is the agent's final word. Idempotent; never rejects (failures go to `'error'`).
   */
  stop(options: StopOptions = {}): Promise<void> {
    this.#stopping ??= this.#stop(options);
    return this.#stopping;
  }

  async #stop(options: StopOptions): Promise<void> {
    const wasRunning = this.#state === 'running';
    this.#state = 'stopped';
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#eventLoop?.stop();
    const timeoutMs = options.timeoutMs ?? DEFAULT_STOP_TIMEOUT_MS;
    const deadline = this.#port.now() + timeoutMs;
    if (this.#inflight !== undefined) await withinDeadline(this.#inflight, deadline - this.#port.now());
    if (wasRunning) {
      if (this.#pending !== undefined || this.#metrics.size > 0) await withinDeadline(this.#beat(), deadline - this.#port.now());
      await this.#goodbye(options, deadline);
    }
    this.#emitSafely('stopped');
  }

  /** Says goodbye, retrying retriable failures with backoff and full jitter (`Retry-After` wins) until `deadline`. */
  async #goodbye(options: StopOptions, deadline: number): Promise<void> {
    const body = { instanceId: this.instanceId, ...(options.reason === undefined ? {} : { reason: options.reason }) };
    for (let attempt = 1; ; attempt++) {
      try {
        await withinDeadline(this.#port.goodbye(this.agentId, body), deadline - this.#port.now(), 'goodbye');
        return;
      } catch (err) {
        this.#report(err, 'goodbye failed');
        const retriable = !(err instanceof VigilError) || err.retriable;
        const wait = err instanceof VigilApiError && err.retryAfterMs !== undefined ? err.retryAfterMs : fullJitterDelay(attempt, Number.POSITIVE_INFINITY, () => this.#port.random(), GOODBYE_BACKOFF_BASE_MS);
        if (!retriable || err instanceof GoodbyeTimeout || this.#port.now() + wait >= deadline) return;
        await sleep(wait);
      }
    }
  }

  async #tick(): Promise<void> {
    this.#timer = undefined;
    if (this.#state !== 'running') return;
    const started = this.#port.now();
    this.#inflight = this.#beat();
    const retryAfterMs = await this.#inflight;
    this.#inflight = undefined;
    if (this.#state !== 'running') return;
    const intervalMs = this.intervalSeconds * 1000;
    let delay: number;
    if (retryAfterMs !== undefined) delay = Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, retryAfterMs));
    // After a failure: exponential backoff with full jitter, never longer than the interval.
    else if (this.#failures > 0) delay = fullJitterDelay(this.#failures, intervalMs, () => this.#port.random());
    // The interval runs from the start of a beat, so a slow answer does not stretch the period; no overlap either.
    else delay = Math.max(0, intervalMs - (this.#port.now() - started));
    this.#timer = setTimeout(() => void this.#tick(), delay);
    this.#timer.unref();
  }

  /**
   * Sends one beat, or again the one whose answer never came (same `seq`, same samples: the platform drops it if the
   * first copy was stored after all, so nothing counts twice). Resolves (never rejects) to the `Retry-After` to
   * honour, if the server asked for one.
   */
  async #beat(): Promise<number | undefined> {
    const beat = (this.#pending ??= this.#nextBeat());
    try {
      const response = await this.#port.heartbeat(beat.input);
      this.#pending = undefined;
      this.#failures = 0;
      this.#beatsAccepted++;
      const mine = response.agents.find((a) => a.agentId === this.agentId);
      const killed = mine?.killed ?? this.#killed;
      const status = mine?.status ?? null;
      this.#emitSafely('beat', { agentId: this.agentId, seq: beat.seq, metrics: beat.metrics.length, killed, status });
      this.#noteKilled(killed, status);
      return undefined;
    } catch (err) {
      this.#beatsFailed++;
      this.#failures++;
      const retriable = !(err instanceof VigilError) || err.retriable;
      // A beat the server refused for good would be refused again forever: its samples are counted as dropped and
      // the next beat is a new one. A retriable failure keeps the beat, to be sent again as it was.
      if (!retriable) {
        this.#pending = undefined;
        this.#metrics.discard(beat.metrics.length);
      }
      this.#report(err, 'heartbeat failed');
      return err instanceof VigilApiError ? err.retryAfterMs : undefined;
    }
  }

  /** Builds the next beat from what was reported since the last one. */
  #nextBeat(): PendingBeat {
    const metrics = this.#options.includeMetrics ? this.#metrics.take() : [];
    const seq = this.#seq++;
    const o = this.#options;
    const eventLoopDelayMs = this.#eventLoop?.take();
    const input: HeartbeatInput = {
      agentId: o.agentId,
      instanceId: o.instanceId,
      intervalSeconds: o.intervalSeconds,
      seq,
      sentAt: new Date(this.#port.now()).toISOString(),
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(this.#progress === undefined ? {} : { progress: { ...this.#progress } }),
      host: o.host,
      pid: o.pid,
      ...(o.version === undefined ? {} : { version: o.version }),
      ...(o.labels === undefined ? {} : { labels: o.labels }),
      ...(eventLoopDelayMs === undefined ? {} : { eventLoopDelayMs }),
    };
    return { input, seq, metrics };
  }

  #invalid(call: string, error: Error): void {
    this.#invalidInputs++;
    const issue = error instanceof z.ZodError ? error.issues[0] : undefined;
    const message = issue === undefined ? error.message : `${issue.path.join('.') || 'value'}: ${issue.message}`;
    this.#report(new VigilUsageError('VIGIL_ERR_INVALID_INPUT', `${call}: ${message} (ignored)`, issue?.path.join('.')), `${call}: invalid input ignored`);
  }

  #noteKilled(killed: boolean, status: string | null): void {
    if (killed === this.#killed) return;
    this.#killed = killed;
    const info: KillInfo = { agentId: this.agentId, status };
    const callback = killed ? this.#options.onKilled : this.#options.onResumed;
    try {
      callback?.(info);
    } catch (err) {
      this.#report(err, killed ? 'onKilled callback threw' : 'onResumed callback threw');
    }
    this.#emitSafely(killed ? 'killed' : 'resumed', info);
  }

  #report(err: unknown, message: string): void {
    const error = err instanceof Error ? err : new Error(String(err));
    this.#port.logger.warn({ err: error, agentId: this.agentId }, message);
    if (this.listenerCount('error') > 0) this.#emitSafely('error', error);
  }

  /** Emits without letting a throwing listener break the beat loop. */
  #emitSafely<K extends keyof HeartbeatEvents>(event: K, ...args: HeartbeatEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: HeartbeatEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      this.#port.logger.error({ err, agentId: this.agentId, event }, 'heartbeat listener threw');
    }
  }
}
