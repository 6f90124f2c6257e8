import { VigilError } from '@vigil/contracts';

/** Error codes of the ingest service (the HTTP edge's own codes are in `@vigil/http`). */
export const INGEST_ERROR_CODES = ['VIGIL_ERR_INGEST_INVALID_CONFIG'] as const;
/** A code of the ingest service. */
export type IngestErrorCode = (typeof INGEST_ERROR_CODES)[number];

/** The ingest configuration is wrong; the message names the setting and how to fix it. The process must not start. */
export class IngestConfigError extends VigilError {
  constructor(message: string, field: string, cause?: unknown) {
    super('VIGIL_ERR_INGEST_INVALID_CONFIG', message, { statusCode: 500, retriable: false, details: { field }, cause });
    this.name = 'IngestConfigError';
  }
}
