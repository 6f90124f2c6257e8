/** Exit codes of `vigil`, following the common convention (and `parseArgs`-based tools): 2 is a usage error. */
export const EXIT = {
  ok: 0,
  /** The API said no, or could not be reached. */
  failure: 1,
  /** The command line is wrong. */
  usage: 2,
} as const;
