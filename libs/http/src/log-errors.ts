import { VigilError } from '@vigil/contracts';
import { ServiceUnavailableError } from './errors.ts';

/**
 * Runs a log write and turns a retriable failure (the log adapter's VigilError with `retriable: true`) into a 503
 * with `Retry-After`, so clients back off and retry; any other failure passes through as it is.
 */
export async function whileLogAvailable<T>(work: Promise<T>, retryAfterSeconds: number): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof VigilError && err.retriable) {
      throw new ServiceUnavailableError(`the event log is unavailable (${err.message}); retry later`, retryAfterSeconds, err);
    }
    throw err;
  }
}
