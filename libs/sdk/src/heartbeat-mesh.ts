import { EventEmitter } from 'node:events';
import type { MetricSample, Progress } from '@vigil/contracts';
import { VigilUsageError } from './errors.ts';
import { HeartbeatSession } from './heartbeat-session.ts';
import type { BeatResult, HeartbeatPort, StopOptions } from './heartbeat-session.ts';
import { resolveHeartbeatOptions } from './options.ts';
import type { HeartbeatOptions, KillInfo } from './options.ts';

/** Events of the mesh: those of every session it runs, `error` with the agent id. */
export interface MeshEvents {
  beat: [result: BeatResult];
  killed: [info: KillInfo];
  resumed: [info: KillInfo];
  error: [error: Error, agentId: string];
  stopped: [agentId: string];
}

/**
 * The heartbeats of this process. Usually one agent per process, so `reportMetric`, `progress` and `stop` need no
 * agent id then; a process hosting several agents passes it.
 */
export class HeartbeatMesh extends EventEmitter<MeshEvents> {
  readonly #port: HeartbeatPort;
  readonly #defaultAgentId: string | undefined;
  readonly #sessions = new Map<string, HeartbeatSession>();
  #unrouted = 0;

  constructor(port: HeartbeatPort, defaultAgentId: string | undefined) {
    super();
    this.#port = port;
    this.#defaultAgentId = defaultAgentId;
  }

  /** Starts beating for one agent (at once, then every `intervalSeconds`) and returns its session. */
  startHeartbeat(options: HeartbeatOptions = {}): HeartbeatSession {
    const resolved = resolveHeartbeatOptions(options, this.#defaultAgentId);
    const existing = this.#sessions.get(resolved.agentId);
    if (existing !== undefined && existing.running) {
      throw new VigilUsageError('VIGIL_ERR_INVALID_OPTIONS', `startHeartbeat: a heartbeat for ${resolved.agentId} is already running; stop() it first`, 'agentId');
    }
    const session = new HeartbeatSession(this.#port, resolved);
    const agentId = session.agentId;
    session.on('beat', (r) => this.emit('beat', r));
    session.on('killed', (i) => this.emit('killed', i));
    session.on('resumed', (i) => this.emit('resumed', i));
    // The session already logged the error; forward it only to someone who listens, never as an unhandled 'error'.
    session.on('error', (e) => {
      if (this.listenerCount('error') > 0) this.emit('error', e, agentId);
    });
    session.on('stopped', () => this.emit('stopped', agentId));
    this.#sessions.set(agentId, session);
    return session.start();
  }

  /** The session of an agent (the only one, or the client's `agentId`, when none is named). */
  session(agentId?: string): HeartbeatSession | undefined {
    if (agentId !== undefined) return this.#sessions.get(agentId);
    if (this.#sessions.size === 1) return this.#sessions.values().next().value;
    return this.#defaultAgentId === undefined ? undefined : this.#sessions.get(this.#defaultAgentId);
  }

  /** Records one unit of work for the next beat. Never throws: without a heartbeat it is reported and ignored. */
  reportMetric(sample: MetricSample, agentId?: string): void {
    this.#find(agentId, 'reportMetric')?.reportMetric(sample);
  }

  /** Records progress for the next beats. Never throws: without a heartbeat it is reported and ignored. */
  progress(progress: Progress, agentId?: string): void {
    this.#find(agentId, 'progress')?.progress(progress);
  }

  /** Counts `work` on an agent's heartbeat (in flight, then completed); returns `work`. Never throws. */
  track<T>(work: PromiseLike<T>, options: { agentId?: string; metric?: boolean } = {}): PromiseLike<T> {
    const session = this.#find(options.agentId, 'track');
    return session === undefined ? work : session.track(work, options.metric === undefined ? {} : { metric: options.metric });
  }

  /** Stops one agent's heartbeat, or all of them, sending the goodbyes. Idempotent, never rejects. */
  async stop(agentId?: string, options: StopOptions = {}): Promise<void> {
    const sessions = agentId === undefined ? [...this.#sessions.values()] : [this.#sessions.get(agentId)].filter((s) => s !== undefined);
    await Promise.all(sessions.map((s) => s.stop(options)));
  }

  /** The session a call is for; when there is none, the mistake is logged and emitted (never thrown) and counted. */
  #find(agentId: string | undefined, call: string): HeartbeatSession | undefined {
    const session = this.session(agentId);
    if (session === undefined) {
      this.#unrouted++;
      const which = agentId === undefined ? (this.#sessions.size > 1 ? 'name the agent: several heartbeats run' : 'no heartbeat started') : `no heartbeat for ${agentId}`;
      const error = new VigilUsageError('VIGIL_ERR_NO_HEARTBEAT', `${call}: ${which}; call mesh.startHeartbeat() first (ignored)`, 'agentId');
      this.#port.logger.warn({ err: error, agentId }, `${call} ignored: no heartbeat`);
      if (this.listenerCount('error') > 0) this.emit('error', error, agentId ?? '');
    }
    return session;
  }

  /** Calls (`reportMetric`, `progress`, `track`) ignored because no heartbeat of theirs runs. */
  get ignoredCalls(): number {
    return this.#unrouted;
  }
}
