/**
 * The logging the SDK needs: pino's `(fields, message)` shape, so a pino logger (or `console`) can be passed as is.
 * The SDK never prints on its own; without a logger it stays silent and reports through events.
 */
export interface VigilLogger {
  debug(fields: object, message?: string): void;
  warn(fields: object, message?: string): void;
  error(fields: object, message?: string): void;
}

/** The default logger: says nothing, because a library must not write to an agent's stdout uninvited. */
export const silentLogger: VigilLogger = {
  debug: () => undefined,
  warn: () => undefined,
  error: () => undefined,
};
