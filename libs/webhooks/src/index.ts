/** `@vigil/webhooks`: the webhook store (port and SQLite adapter) shared by the query routes and the notifier, secrets and URL checks. */
export type { AttemptOutcome, DeliveryPage, DeliveryRecord, HeldNotification, NewDelivery, NotifierTx, WebhookRecord, WebhookStore } from './webhook-store-port.ts';
export { SqliteWebhookStore, type SqliteWebhookStoreOptions } from './sqlite-webhook-store.ts';
export { newWebhookSecret, secretKey, SECRET_PREFIX } from './webhook-secret.ts';
export { checkWebhookUrl, privateTargetsAllowed, ALLOW_PRIVATE_ENV } from './webhook-url.ts';
export { WEBHOOK_ERROR_CODES, type WebhookErrorCode, WebhookNotFoundError, DeliveryNotFoundError, DeliveryNotDeadError, WebhookUrlRefusedError } from './errors.ts';
