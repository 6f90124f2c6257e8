/** `@vigil/notifier`: the downstream consumer of status transitions that calls webhooks (json, Slack, PagerDuty). */
export { NotifierService, notifierGroupId, type NotifierDeps, type NotifierStats } from './notifier-service.ts';
export { notifierConfigFromEnv, DEFAULT_NOTIFIER_CONFIG, NOTIFIER_ENV, type NotifierConfig } from './config.ts';
export { NOTIFIER_ERROR_CODES, NotifierConfigError, type NotifierErrorCode } from './errors.ts';
export { Dispatcher, type DispatcherDeps, type DeliveryOutcome } from './dispatcher.ts';
export { fetchSender, type Sender, type SendResult, type OutgoingRequest } from './http-sender.ts';
export { signatureHeaders } from './signing.ts';
export { retryDelayMs, parseRetryAfterMs } from './backoff.ts';
export { planFlush, type GroupWindow, type FlushPlan, type GroupingPolicy } from './grouper.ts';
export type { NotificationBody, StoredNotification } from './notification.ts';
