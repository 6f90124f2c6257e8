import { EventEmitter } from 'node:events';
import { MetricSample, Progress, VigilError } from '@vigil/contracts';
import type { HeartbeatInput, HeartbeatResponse } from '@vigil/contracts';
import { VigilApiError, VigilUsageError } from './errors.ts';
import type { VigilLogger } from './logger.ts';
import { MetricBuffer } from './metric-buffer.ts';
import { MAX_BUFFERED_METRICS } from './options.ts';
import type { KillInfo, ResolvedHeartbeatOptions } from './options.ts';

/** Shortest and longest wait a `Retry-After` may impose: never a busy loop, never silent for hours. */
const RETRY_AFTER_MIN_MS = 1_000;
const RETRY_AFTER_MAX_MS = 3_600_000;

/** What a session needs from the client: the two calls it makes, a clock and a logger. */
export interface HeartbeatPort {
  heartbeat(input: HeartbeatInput): Promise<HeartbeatResponse>;
  goodbye(agentId: string, body: { instanceId?: string; reason?: string }): Promise<void>;
  now(): number;
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
  #progress: Progress | undefined;
  #seq = 0;
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

  /** Counters for diagnostics: beats accepted and failed, metric samples waiting and dropped, next `seq`. */
  get stats(): { beatsAccepted: number; beatsFailed: number; pendingMetrics: number; droppedMetrics: number; nextSeq: number } {
    return {
      beatsAccepted: this.#beatsAccepted,
      beatsFailed: this.#beatsFailed,
      pendingMetrics: this.#metrics.size,
      droppedMetrics: this.#metrics.dropped,
      nextSeq: this.#seq,
    };
  }

  /** Starts beating; the first beat leaves at once. Called by `mesh.startHeartbeat`. */
  start(): this {
    if (this.#state !== 'idle') return this;
    this.#state = 'running';
    void this.#tick();
    return this;
  }

  /** Records one unit of work; it rides on the next beat. Ignored after `stop()` or with `includeMetrics: false`. */
  reportMetric(sample: MetricSample): void {
    const parsed = MetricSample.safeParse(sample);
    if (!parsed.success) {
      throw new VigilUsageError('VIGIL_ERR_INVALID_INPUT', `reportMetric: ${parsed.error.issues[0]?.message ?? 'invalid sample'}`, parsed.error.issues[0]?.path.join('.'));
    }
    if (this.#state === 'stopped' || !this.#options.includeMetrics) return;
    this.#metrics.push(parsed.data);
  }

  /** Records the agent's progress (completed so far, in flight now); every beat carries the latest. */
  progress(progress: Progress): void {
    const parsed = Progress.safeParse(progress);
    if (!parsed.success) {
      throw new VigilUsageError('VIGIL_ERR_INVALID_INPUT', `progress: ${parsed.error.issues[0]?.message ?? 'invalid progress'}`, parsed.error.issues[0]?.path.join('.'));
    }
    this.#progress = parsed.data;
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
    if (this.#inflight !== undefined) await this.#inflight;
    if (wasRunning) {
      if (this.#metrics.size > 0) await this.#beat();
      try {
        await this.#port.goodbye(this.agentId, {
          instanceId: this.instanceId,
          ...(options.reason === undefined ? {} : { reason: options.reason }),
        });
      } catch (err) {
        this.#report(err, 'goodbye failed');
      }
    }
    this.#emitSafely('stopped');
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
    // The interval runs from the start of a beat, so a slow answer does not stretch the period; no overlap either.
    const delay =
      retryAfterMs === undefined
        ? Math.max(0, intervalMs - (this.#port.now() - started))
        : Math.min(RETRY_AFTER_MAX_MS, Math.max(RETRY_AFTER_MIN_MS, retryAfterMs));
    this.#timer = setTimeout(() => void this.#tick(), delay);
    this.#timer.unref();
  }

  /** Sends one beat; resolves (never rejects) to the `Retry-After` to honour, if the server asked for one. */
  async #beat(): Promise<number | undefined> {
    const metrics = this.#options.includeMetrics ? this.#metrics.take() : [];
    const seq = this.#seq++;
    const o = this.#options;
    const input: HeartbeatInput = {
      agentId: o.agentId,
      instanceId: o.instanceId,
      intervalSeconds: o.intervalSeconds,
      seq,
      sentAt: new Date(this.#port.now()).toISOString(),
      ...(metrics.length > 0 ? { metrics } : {}),
      ...(this.#progress === undefined ? {} : { progress: this.#progress }),
      host: o.host,
      pid: o.pid,
      ...(o.version === undefined ? {} : { version: o.version }),
      ...(o.labels === undefined ? {} : { labels: o.labels }),
    };
    try {
      const response = await this.#port.heartbeat(input);
      this.#beatsAccepted++;
      const mine = response.agents.find((a) => a.agentId === this.agentId);
      const killed = mine?.killed ?? this.#killed;
      const status = mine?.status ?? null;
      this.#emitSafely('beat', { agentId: this.agentId, seq, metrics: metrics.length, killed, status });
      this.#noteKilled(killed, status);
      return undefined;
    } catch (err) {
      this.#beatsFailed++;
      const retriable = !(err instanceof VigilError) || err.retriable;
      // A retriable failure keeps the samples for the next beat; one the server refused for good would be refused
      // again forever, so those samples are counted as dropped instead.
      if (retriable) this.#metrics.restore(metrics);
      else this.#metrics.discard(metrics.length);
      this.#report(err, 'heartbeat failed');
      return err instanceof VigilApiError ? err.retryAfterMs : undefined;
    }
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
