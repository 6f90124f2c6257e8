import { VigilError } from '@vigil/contracts';

/** Error codes of the notifier service. */
export const NOTIFIER_ERROR_CODES = ['VIGIL_ERR_NOTIFIER_INVALID_CONFIG'] as const;
/** A code of the notifier. */
export type NotifierErrorCode = (typeof NOTIFIER_ERROR_CODES)[number];

/** A notifier setting is wrong; the message names the variable and how to fix it. The process must not start. */
export class NotifierConfigError extends VigilError {
  constructor(field: string, message: string) {
    super('VIGIL_ERR_NOTIFIER_INVALID_CONFIG', `${field}: ${message}`, { statusCode: 500, details: { field } });
    this.name = 'NotifierConfigError';
  }
}
