export {
  HTTP_ERROR_CODES,
  type HttpErrorCode,
  UnauthorizedError,
  ValidationError,
  MalformedJsonError,
  BodyTooLargeError,
  UnsupportedMediaTypeError,
  BadRequestError,
  RouteNotFoundError,
  ServiceUnavailableError,
  NotReadyError,
  InternalError,
  InvalidApiKeysError,
  ForbiddenError,
  RateLimitedError,
  OverloadedError,
  KeyNotFoundError,
  KeyNotRevocableError,
} from './errors.ts';
export { describeZodError, parseInput, type ParseOptions } from './validate.ts';
export { vigilErrorHandler, vigilNotFoundHandler, toVigilError, DEFAULT_RETRY_AFTER_SECONDS } from './error-handler.ts';
export {
  InMemoryApiKeyResolver,
  keyDigest,
  roleSatisfies,
  staticKeyId,
  type ApiKeyResolver,
  type ApiKeyIdentity,
  type StaticKey,
} from './api-keys.ts';
export { bearerAuth, tenantOf, identityOf, DEFAULT_ROUTE_ROLE, type BearerAuthOptions } from './bearer-auth.ts';
export { RateLimiter, type RateDecision } from './rate-limiter.ts';
export { ROLES, type Role } from './route-role.ts';
export { apiScope } from './api-scope.ts';
export { intervalScheduler, type Scheduler, type Cancel } from './scheduler.ts';
export { parseDurationMs, formatDurationMs, DurationInput, ThresholdDurationInput } from './duration.ts';
export { parseByteSize, ByteSizeInput } from './byte-size.ts';
export { queryInt, queryBool, QueryCursor, QueryTime } from './query-params.ts';
export { whileLogAvailable } from './log-errors.ts';
export { MetricsRegistry, Counter, Gauge, Histogram, DURATION_BUCKETS_SECONDS, THREAD_BUSY_METRIC, type CounterSeries, type HistogramSeries, type Labels, type MetricsRegistryOptions } from './metrics-registry.ts';
export { metricsPlugin, HTTP_REQUESTS_METRIC, HTTP_DURATION_METRIC, type MetricsPluginOptions } from './metrics-plugin.ts';
export { healthPlugin, type HealthPluginOptions, type ReadinessCheck } from './health-plugin.ts';
export { openApiPlugin, jsonSchemaOf, routeSchema, BEARER_SCHEME, DOCS_PATH, type OpenApiPluginOptions, type RouteDoc } from './openapi.ts';
export { shareWithParent } from './share-with-parent.ts';
export { AcceptedEventResponse } from './accepted-response.ts';
export {
  apiKeysTopic,
  ApiKeyId,
  ApiKeyInfo,
  ApiKeyRecord,
  CreatedApiKey,
  CreateApiKeyRequest,
  RoleSchema,
  type ApiKeyStore,
} from './api-key-records.ts';
export { LogApiKeyRegistry, type LogApiKeyRegistryOptions } from './log-key-registry.ts';
export { registerKeyRoutes } from './key-routes.ts';
export { registerWhoAmIRoute } from './whoami-route.ts';
export { loadSheddingPlugin, type LoadSheddingOptions } from './load-shedding.ts';
