/** Options of a Vigil error. */
export interface VigilErrorOptions {
  /** HTTP status the error maps to at an HTTP edge. */
  readonly statusCode?: number;
  /** Whether trying again later may succeed (a consumer retries with backoff) or not (record and move on). */
  readonly retriable?: boolean;
  /** The underlying error. */
  readonly cause?: unknown;
  /** Extra fields for the JSON body and logs, such as the offending `field`. */
  readonly details?: Readonly<Record<string, unknown>>;
}

/**
 * Marks every VigilError, whichever copy of this module made it: the published SDK carries its own copy of the
 * contracts (it may not depend on this monorepo), so `err instanceof VigilError` must not rely on class identity.
 */
const VIGIL_ERROR = Symbol.for('vigil.error');

/** Base of every error Vigil throws on purpose: a stable `code`, an HTTP status and whether a retry may help. */
export class VigilError extends Error {
  /**
   * `instanceof VigilError` holds for a VigilError of any copy of the contracts (see VIGIL_ERROR); for subclasses it
   * is the ordinary prototype check, since those are checked only by the code that defines them.
   */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this !== VigilError) return Function.prototype[Symbol.hasInstance].call(this, value);
    return typeof value === 'object' && value !== null && (value as { [VIGIL_ERROR]?: unknown })[VIGIL_ERROR] === true;
  }

  readonly code: string;
  readonly statusCode: number;
  readonly retriable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(code: string, message: string, options: VigilErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'VigilError';
    this.code = code;
    this.statusCode = options.statusCode ?? 500;
    this.retriable = options.retriable ?? false;
    this.details = options.details ?? {};
    Object.defineProperty(this, VIGIL_ERROR, { value: true });
  }
}

/** Error codes of the contracts package. */
export const CONTRACT_ERROR_CODES = ['VIGIL_ERR_INVALID_EVENT'] as const;

/** A log message that is not valid JSON or does not match its schema: a poison message, never retried. */
export class InvalidEventError extends VigilError {
  constructor(message: string, details: Readonly<Record<string, unknown>> = {}, cause?: unknown) {
    super('VIGIL_ERR_INVALID_EVENT', message, { statusCode: 400, retriable: false, details, cause });
    this.name = 'InvalidEventError';
  }
}
