// Kept apart from args.ts so that `vigil --help` prints it without loading the SDK.
/** Usage lines of `clientFlags`, appended to each command's usage. */
export const CLIENT_FLAGS_USAGE = [
  "  --url <url>        Vigil API (env VIGIL_URL, else the saved 'vigil login', else http://127.0.0.1:8080)",
  "  --api-key <key>    bearer API key (env VIGIL_API_KEY, else the saved login, else a local vigil up's data/api-key)",
  '  --json             machine-readable output',
].join('\n');
