export { buildQueryApp } from './build-app.ts';
export { queryPlugin, registerQueryRoutes, type QueryPluginOptions } from './query-plugin.ts';
export { registerDashboard, DASHBOARD_PATH } from './dashboard/dashboard-plugin.ts';
export type { QueryDeps } from './deps.ts';
export { queryConfig, queryConfigFromEnv, DEFAULT_QUERY_CONFIG, QUERY_ENV, type QueryConfig, type QueryConfigInput } from './config.ts';
export {
  QUERY_ERROR_CODES,
  AgentNotFoundError,
  AgentNotKilledError,
  TooManyStreamsError,
  QueryConfigError,
  type QueryErrorCode,
} from './errors.ts';
export { DEFAULT_ACTOR, DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, DEFAULT_METRIC_POINTS, MAX_METRIC_POINTS } from './request-schemas.ts';
