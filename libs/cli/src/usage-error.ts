/** The command line is wrong (unknown flag, missing argument): `vigil` prints the message and usage and exits 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
