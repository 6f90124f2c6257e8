import { INGEST_ENV } from '@vigil/ingest';
import { NOTIFIER_ENV } from '@vigil/notifier';
import { QUERY_ENV } from '@vigil/query';

/** The services `vigil serve` runs, one per process. */
export const SERVICES = ['ingest', 'detector', 'projector', 'query', 'notifier'] as const;
/** One of `SERVICES`. */
export type ServiceName = (typeof SERVICES)[number];

/** One environment variable of `vigil serve`: for `--help`, the README table and the unknown-variable check. */
export interface ServeVariable {
  readonly name: string;
  readonly meaning: string;
  readonly default: string;
}

/** The variables `vigil serve` reads itself (the services' own ones come from INGEST_ENV and QUERY_ENV). */
export const SERVE_VARIABLES: readonly ServeVariable[] = [
  { name: 'VIGIL_LOG', meaning: 'the log: sqlite:<file> (one machine) or kafka:<host:port,...>', default: 'required' },
  { name: 'VIGIL_STORE', meaning: 'event store (projector; query reads agent history from it): sqlite:<file> or esdb:esdb://host:2113?tls=false', default: 'required by projector; optional for query' },
  { name: 'VIGIL_READ_MODEL', meaning: 'read model: sqlite:<file> (projector writes, ingest and query read)', default: 'required by projector, ingest, query' },
  { name: 'VIGIL_QUERY_PROJECTION', meaning: 'Kafka only: ingest/query fold their own read model (VIGIL_READ_MODEL, a local file) from the topics', default: '0' },
  { name: 'VIGIL_TOPIC_PREFIX', meaning: 'prefix of topic and consumer-group names', default: 'vigil.' },
  { name: 'VIGIL_PARTITIONS', meaning: 'partitions of the topics ingest creates at start (others read the topics)', default: '4' },
  { name: 'VIGIL_PORT', meaning: 'HTTP port (0 picks a free one)', default: 'query 8080, ingest 8081, detector 8082, projector 8083' },
  { name: 'VIGIL_HOST', meaning: 'listen address', default: '127.0.0.1' },
  { name: 'VIGIL_ADMIN_KEY', meaning: 'bootstrap admin key (ingest, query); create the others with vigil keys create', default: 'this or VIGIL_API_KEYS required by ingest, query' },
  { name: 'VIGIL_ADMIN_TENANT', meaning: 'tenant the bootstrap admin key is also operator of', default: 'default' },
  { name: 'VIGIL_API_KEYS', meaning: 'deprecated: static keys key=tenant[:role],... (role default operator; not revocable, use vigil keys)', default: 'unset' },
  { name: 'VIGIL_DEGRADED_AFTER', meaning: 'silence before degraded (detector)', default: "3 x the agent's interval" },
  { name: 'VIGIL_UNREACHABLE_AFTER', meaning: 'silence before unreachable (detector)', default: '10 x the interval' },
  { name: 'VIGIL_FORGET_AFTER', meaning: 'stopped or unreachable agents are forgotten after it (detector; query reports it in GET /v1/retention, so give both the same; tenants: PUT /v1/retention)', default: '7d' },
  { name: 'VIGIL_STALLED_AFTER', meaning: 'no progress with work in flight before stalled (detector)', default: '5 x the interval' },
  { name: 'VIGIL_WINDOW', meaning: 'detector window; ingest ticks at min(1s, window) unless VIGIL_TICK_INTERVAL says', default: '1s' },
  { name: 'VIGIL_LOG_LEVEL', meaning: 'pino level of the JSON logs on stderr', default: 'info' },
  { name: 'VIGIL_BATCH_SIZE', meaning: 'most records per batch of the detector (one transaction) and projector, 1..50000', default: 'kafka 20000, sqlite 500' },
  {
    name: 'VIGIL_KAFKA_SESSION_TIMEOUT',
    meaning: 'Kafka only: silence before a dead detector/projector loses its partitions (failover time), 6s..5m',
    default: '30s',
  },
  { name: 'VIGIL_KAFKA_FETCH_BYTES', meaning: 'Kafka only: most bytes fetched per partition per request, 64kb..16mb', default: '4mb' },
  {
    name: 'VIGIL_KAFKA_REQUEST_TIMEOUT',
    meaning: 'Kafka only: wait for one broker answer before retrying (5 retries); bounds how long ingest takes to answer 503, 1s..5m',
    default: '30s',
  },
  { name: 'VIGIL_WEBHOOK_STORE', meaning: 'webhooks and their deliveries: sqlite:<file> shared by query (webhook routes) and notifier', default: 'required by notifier; query without it has no /v1/webhooks' },
];

/** Variables of other `vigil` commands, of the bin (`VIGIL_DIST`) and of the test setup: present in a shared environment, ignored here. */
const OTHER_COMMANDS_VARIABLES = ['VIGIL_URL', 'VIGIL_API_KEY', 'VIGIL_DATA', 'VIGIL_REQUIRE_KAFKA', 'VIGIL_DIST'] as const;

/** Every `VIGIL_*` name `vigil serve` accepts (its own, the services' own, other commands'). */
export const KNOWN_VARIABLES: ReadonlySet<string> = new Set([
  ...SERVE_VARIABLES.map((v) => v.name),
  ...Object.values(INGEST_ENV),
  ...Object.values(QUERY_ENV),
  ...Object.values(NOTIFIER_ENV),
  ...OTHER_COMMANDS_VARIABLES,
]);

/** The known variable nearest to a misspelt one (at most two edits away), for the fix-it message. */
export function nearestVariable(name: string): string | undefined {
  let best: string | undefined;
  let bestDistance = 3;
  for (const known of KNOWN_VARIABLES) {
    const d = editDistance(name, known);
    if (d < bestDistance) [best, bestDistance] = [known, d];
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    previous = current;
  }
  return previous[b.length]!;
}
