import { VigilError } from '@vigil/contracts';

/** Error codes of `@vigil/webhooks`. */
export const WEBHOOK_ERROR_CODES = ['VIGIL_ERR_WEBHOOK_NOT_FOUND', 'VIGIL_ERR_DELIVERY_NOT_FOUND', 'VIGIL_ERR_DELIVERY_NOT_DEAD', 'VIGIL_ERR_WEBHOOK_URL_REFUSED'] as const;
/** A code of `@vigil/webhooks`. */
export type WebhookErrorCode = (typeof WEBHOOK_ERROR_CODES)[number];

/** No webhook of this id in the caller's tenant (or it was removed). */
export class WebhookNotFoundError extends VigilError {
  constructor(id: string) {
    super('VIGIL_ERR_WEBHOOK_NOT_FOUND', `no webhook ${JSON.stringify(id)} in this tenant`, { statusCode: 404, details: { field: 'id' } });
    this.name = 'WebhookNotFoundError';
  }
}

/** No delivery of this id for that webhook. */
export class DeliveryNotFoundError extends VigilError {
  constructor(id: string) {
    super('VIGIL_ERR_DELIVERY_NOT_FOUND', `no delivery ${JSON.stringify(id)} of this webhook`, { statusCode: 404, details: { field: 'deliveryId' } });
    this.name = 'DeliveryNotFoundError';
  }
}

/** Only a dead-lettered delivery can be re-sent; a pending one is still being tried, a delivered one was acknowledged. */
export class DeliveryNotDeadError extends VigilError {
  constructor(id: string, status: string) {
    super('VIGIL_ERR_DELIVERY_NOT_DEAD', `delivery ${JSON.stringify(id)} is ${status}; only a dead delivery can be re-sent`, { statusCode: 409, details: { field: 'deliveryId' } });
    this.name = 'DeliveryNotDeadError';
  }
}

/** A webhook URL that Vigil will not call: not http(s), or a private/loopback address (unless VIGIL_WEBHOOK_ALLOW_PRIVATE=1). */
export class WebhookUrlRefusedError extends VigilError {
  constructor(message: string) {
    super('VIGIL_ERR_WEBHOOK_URL_REFUSED', message, { statusCode: 400, details: { field: 'url' } });
    this.name = 'WebhookUrlRefusedError';
  }
}
