export { buildIngestApp, type IngestAppDeps } from './build-app.ts';
export { ingestPlugin, registerIngestRoutes, HEARTBEATS_ACCEPTED_METRIC, type IngestPluginOptions } from './ingest-plugin.ts';
export type { AgentStatusLookup, IngestDeps } from './deps.ts';
export { JsonBodyText, agentIdsOf, heartbeatEventsOf, heartbeatRecordsOf, parseJsonText, type HeartbeatBatchContext } from './heartbeat-body.ts';
export { LocalHeartbeatIntake, appendHeartbeats, type AcceptedHeartbeats, type HeartbeatIntake, type HeartbeatRequestContext } from './heartbeat-intake.ts';
export { TickWriter, type TickWriterOptions } from './tick-writer.ts';
export { ingestConfig, ingestConfigFromEnv, DEFAULT_INGEST_CONFIG, INGEST_ENV, type IngestConfig, type IngestConfigInput } from './config.ts';
export { INGEST_ERROR_CODES, IngestConfigError, type IngestErrorCode } from './errors.ts';
export { toHeartbeatEvent, DEFAULT_INSTANCE_ID, DEFAULT_INTERVAL_SECONDS } from './heartbeat-event.ts';
