import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { z } from 'zod';
import { AgentId } from '@vigil/contracts';
import { VigilUsageError } from './errors.ts';
import type { VigilLogger } from './logger.ts';
import type { FetchLike } from './types.ts';

/** One id per process: restarts of an agent show up as a new instance (the platform counts them). */
const PROCESS_INSTANCE_ID = randomUUID();

/** Most metric samples kept between beats; the server accepts at most this many in one heartbeat. */
export const MAX_BUFFERED_METRICS = 10_000;

/** Time allowed for one API call before it counts as a (retriable) timeout. */
export const DEFAULT_TIMEOUT_MS = 10_000;

/** Beat interval the platform's default thresholds (3x and 10x) are tuned for. */
export const DEFAULT_INTERVAL_SECONDS = 30;

const fn = <T>(name: string) => z.custom<T>((v) => typeof v === 'function', `${name} must be a function`);

/** Options of `new VigilClient(...)`, checked once at construction. */
export const VigilClientOptionsSchema = z.strictObject({
  apiKey: z.string().min(1, 'apiKey is required (a Bearer API key of your tenant)'),
  url: z.url({ protocol: /^https?$/, error: 'url must be an http(s) URL such as http://127.0.0.1:8080' }),
  agentId: AgentId.optional(),
  fetch: fn<FetchLike>('fetch').optional(),
  now: fn<() => number>('now').optional(),
  random: fn<() => number>('random').optional(),
  logger: z.custom<VigilLogger>((v) => typeof v === 'object' && v !== null, 'logger must be an object').optional(),
  timeoutMs: z.number().int().positive().optional(),
});

/** Options of a `VigilClient`. */
export interface VigilClientOptions {
  /** Bearer API key; it decides the tenant. */
  readonly apiKey: string;
  /** Base URL of the Vigil HTTP API, e.g. `http://127.0.0.1:8080`. */
  readonly url: string;
  /** Default agent id of `mesh.startHeartbeat()`. */
  readonly agentId?: string;
  /** `fetch` to use; the global one by default. */
  readonly fetch?: FetchLike;
  /** Clock in epoch ms, for `sentAt` and scheduling; `Date.now` by default. */
  readonly now?: () => number;
  /** Uniform in [0, 1), for the jitter of retries; `Math.random` by default (tests inject their own). */
  readonly random?: () => number;
  /** Where to log failures; silent by default. */
  readonly logger?: VigilLogger;
  /** Per-call timeout in ms (10 s by default); the transition stream has none. */
  readonly timeoutMs?: number;
}

/** What a beat-killed/resumed callback is told. */
export interface KillInfo {
  readonly agentId: string;
  /** Status the server reported with the beat. */
  readonly status: string | null;
}

/** Options of `client.mesh.startHeartbeat(...)`. */
export interface HeartbeatOptions {
  /** Agent id; the client's `agentId` by default. */
  readonly agentId?: string;
  /** Seconds between beats (30 by default); the platform's thresholds default to 3x and 10x of it. */
  readonly intervalSeconds?: number;
  /** Whether beats carry the samples given to `reportMetric` (true by default). */
  readonly includeMetrics?: boolean;
  /** Whether beats carry this process's event-loop delay (`perf_hooks.monitorEventLoopDelay`; true by default). */
  readonly eventLoopDelay?: boolean;
  /** Identity of this run of the agent; one random UUID per process by default. */
  readonly instanceId?: string;
  /** Host name shown to operators; `os.hostname()` by default. */
  readonly host?: string;
  /** Process id; `process.pid` by default. */
  readonly pid?: number;
  /** Version of the agent; `npm_package_version` when run through npm. */
  readonly version?: string;
  /** Labels to filter agents by (`GET /v1/agents?label=k:v`). */
  readonly labels?: Readonly<Record<string, string>>;
  /** Called when a beat's answer says the agent was killed: stop taking new work. */
  readonly onKilled?: (info: KillInfo) => void;
  /** Called when a killed agent has been resumed. */
  readonly onResumed?: (info: KillInfo) => void;
}

const HeartbeatOptionsSchema = z.object({
  agentId: AgentId,
  intervalSeconds: z.number().positive().max(86_400),
  includeMetrics: z.boolean(),
  eventLoopDelay: z.boolean(),
  instanceId: z.string().min(1).max(128),
  host: z.string().max(255),
  pid: z.number().int().nonnegative(),
  version: z.string().max(64).optional(),
  labels: z.record(z.string().max(64), z.string().max(256)).optional(),
});

/** Heartbeat options with every default filled in. */
export type ResolvedHeartbeatOptions = z.infer<typeof HeartbeatOptionsSchema> & Pick<HeartbeatOptions, 'onKilled' | 'onResumed'>;

/** Throws a `VigilUsageError` naming the first bad field of a failed parse. */
export function usageErrorFrom(error: z.ZodError, prefix: string): VigilUsageError {
  const issue = error.issues[0];
  const field = issue?.path.join('.') ?? '';
  return new VigilUsageError('VIGIL_ERR_INVALID_OPTIONS', `${prefix}: ${field ? `${field}: ` : ''}${issue?.message ?? 'invalid'}`, field || undefined);
}

/** Fills heartbeat defaults from the process and validates them, so a mistake fails at start, not at the first beat. */
export function resolveHeartbeatOptions(options: HeartbeatOptions, clientAgentId: string | undefined): ResolvedHeartbeatOptions {
  const agentId = options.agentId ?? clientAgentId;
  if (agentId === undefined) {
    throw new VigilUsageError('VIGIL_ERR_INVALID_OPTIONS', 'startHeartbeat: agentId is required (here or in the client options)', 'agentId');
  }
  const version = options.version ?? process.env['npm_package_version'];
  const parsed = HeartbeatOptionsSchema.safeParse({
    agentId,
    intervalSeconds: options.intervalSeconds ?? DEFAULT_INTERVAL_SECONDS,
    includeMetrics: options.includeMetrics ?? true,
    eventLoopDelay: options.eventLoopDelay ?? true,
    instanceId: options.instanceId ?? PROCESS_INSTANCE_ID,
    host: options.host ?? hostname().slice(0, 255),
    pid: options.pid ?? process.pid,
    ...(version === undefined ? {} : { version: version.slice(0, 64) }),
    ...(options.labels === undefined ? {} : { labels: options.labels }),
  });
  if (!parsed.success) throw usageErrorFrom(parsed.error, 'startHeartbeat');
  return { ...parsed.data, onKilled: options.onKilled, onResumed: options.onResumed };
}
