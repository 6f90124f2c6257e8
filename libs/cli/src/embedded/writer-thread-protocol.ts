import type { TopicNames } from '@vigil/contracts';
import type { AcceptedHeartbeats, HeartbeatRequestContext } from '@vigil/ingest';
import type { ProduceRecord, RecordPosition } from '@vigil/log';
import type { NotifierConfig } from '@vigil/notifier';
import type { AgentStatusChange, ReadModelRetentionOptions } from '@vigil/store';
import type { DetectorSettings } from '../platform/services.ts';

/** What the writer thread is started with (`workerData.init`): everything it opens and runs, as plain data. */
export interface WriterThreadInit {
  readonly databaseFile: string;
  readonly topics: TopicNames;
  readonly topicPrefix: string;
  readonly detector: DetectorSettings;
  readonly retention: ReadModelRetentionOptions;
  /** pino level of the thread's logger (it logs to stderr, like `vigil up`). */
  readonly logLevel: string;
  /** Bounds of the flow control between the ingest and the thread's consumers (ConsumerLagGate); defaults if absent. */
  readonly flowControl?: { readonly maxUnreadRecords: number; readonly maxHoldMs: number };
}

/** How the bootstrap loads the thread's entry module (`workerData.bootstrap`). */
export interface WriterThreadBootstrap {
  /** URL of `writer-thread-main.ts` (sources) or `.js` (build). */
  readonly entry: string;
  /** True: the build, resolved with the `vigil-dist` condition; false: the sources, through tsx. */
  readonly fromDist: boolean;
}

/**
 * One append the HTTP thread asks for: records it built; the records of heartbeat events it built from a posted body
 * (`heartbeatRecordsOf`), whose values the writer thread's consumers may take as decoded by JSON.parse alone; or the
 * JSON text of a `POST /v1/heartbeats` body, which the writer thread parses, validates and builds into heartbeat
 * events before appending them (WriterThreadIntake).
 */
export type AppendRequest =
  | { readonly kind: 'records'; readonly id: number; readonly topic: string; readonly records: readonly ProduceRecord[] }
  | { readonly kind: 'heartbeat-records'; readonly id: number; readonly topic: string; readonly records: readonly ProduceRecord[] }
  | { readonly kind: 'heartbeats'; readonly id: number; readonly topic: string; readonly text: string; readonly context: HeartbeatRequestContext };

/** A VigilError (or any error) as it crosses the thread boundary. */
export interface ThreadError {
  readonly code: string | null;
  readonly message: string;
  readonly statusCode: number;
  readonly retriable: boolean;
  readonly details: Record<string, unknown>;
}

/** The answer to one append: where its records landed or what beats were accepted (committed), or why not. */
export type AppendResult =
  | { readonly id: number; readonly positions: RecordPosition[] }
  | { readonly id: number; readonly accepted: AcceptedHeartbeats }
  | { readonly id: number; readonly error: ThreadError };


// Messages between the two threads are typed, not parsed: both ends are this program, built and shipped together,
// and appends are the ingest's hot path (records are still validated by the log itself before they join a commit).

/** Messages to the writer thread. */
export type ToWriter =
  | { readonly type: 'append'; readonly requests: readonly AppendRequest[] }
  | { readonly type: 'metrics'; readonly id: number }
  /** Starts the notifier, once the HTTP address (its links' default) is known. */
  | { readonly type: 'start-notifier'; readonly config: NotifierConfig }
  | { readonly type: 'stop' };

/** Messages from the writer thread. */
export type FromWriter =
  | { readonly type: 'ready' }
  | { readonly type: 'appended'; readonly results: readonly AppendResult[] }
  | { readonly type: 'metrics'; readonly id: number; readonly text: string }
  /** Statuses the read model changed in one commit, sent right after it (the HTTP thread's AgentStatusCache). */
  | { readonly type: 'statuses'; readonly changes: readonly AgentStatusChange[] }
  | { readonly type: 'notifier-started'; readonly error: ThreadError | null }
  | { readonly type: 'stopped' }
  | { readonly type: 'failed'; readonly error: ThreadError };

/** An error as plain data for `postMessage` (a VigilError keeps its code, status and retriability). */
export function toThreadError(err: unknown): ThreadError {
  if (typeof err === 'object' && err !== null && 'message' in err) {
    const e = err as { code?: unknown; message: unknown; statusCode?: unknown; retriable?: unknown; details?: unknown };
    return {
      code: typeof e.code === 'string' ? e.code : null,
      message: String(e.message),
      statusCode: typeof e.statusCode === 'number' ? e.statusCode : 500,
      retriable: e.retriable === true,
      details: typeof e.details === 'object' && e.details !== null ? { ...(e.details as Record<string, unknown>) } : {},
    };
  }
  return { code: null, message: String(err), statusCode: 500, retriable: false, details: {} };
}
