/**
 * `vigil serve` was started with a wrong environment: the message is one line that starts with the variable's name
 * and says how to fix it; the process exits 2 before it opens a connection or listens.
 */
export class ServeConfigError extends Error {
  /** The environment variable at fault. */
  readonly variable: string;

  constructor(variable: string, message: string) {
    super(`${variable}: ${message}`);
    this.name = 'ServeConfigError';
    this.variable = variable;
  }
}
