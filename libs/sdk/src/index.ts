// The public face of @vigil/sdk: what agents and tools import. Internals (transport, SSE parser, buffer) stay private.
export { VigilClient } from './vigil-client.ts';
export type { ControlOptions, StreamOptions, StreamedTransition, WebhookInput } from './vigil-client.ts';
export { HeartbeatMesh } from './heartbeat-mesh.ts';
export type { MeshEvents } from './heartbeat-mesh.ts';
export { HeartbeatSession } from './heartbeat-session.ts';
export { DEFAULT_STOP_TIMEOUT_MS } from './heartbeat-session.ts';
export type { BeatResult, HeartbeatEvents, StopOptions } from './heartbeat-session.ts';
export { BACKOFF_BASE_MS, fullJitterDelay } from './backoff.ts';
export { DEFAULT_INTERVAL_SECONDS, MAX_BUFFERED_METRICS } from './options.ts';
export type { HeartbeatOptions, KillInfo, VigilClientOptions } from './options.ts';
export { SDK_ERROR_CODES, VigilApiError, VigilUsageError, isRetriableStatus } from './errors.ts';
export type { SdkErrorCode, VigilApiErrorInit } from './errors.ts';
export type { VigilLogger } from './logger.ts';
export type { AgentFilter, AgentSort, FetchLike, FetchResponse, MetricRange, MetricResolution, PageOptions, ThresholdValue, ThresholdsInput } from './types.ts';
export { VigilError } from '@vigil/contracts';
export type {
  AgentView,
  DeliveryView,
  EventLoopDelay,
  FleetSummary,
  HistoryEntry,
  MetricPoint,
  MetricSample,
  Page,
  Progress,
  RecentMetrics,
  RecentMetricsResponse,
  RetentionView,
  TransitionView,
  WebhookCreated,
  WebhookView,
  WhoAmI,
} from '@vigil/contracts';
