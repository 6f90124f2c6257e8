import { z } from 'zod';

/** Where the log is: an embedded log file (processes on one machine share it) or a Kafka cluster. */
export type LogSpec = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'kafka'; readonly brokers: readonly string[] };

/** Where the event store is: a SQLite file or an EventStoreDB/KurrentDB server. */
export type StoreSpec = { readonly kind: 'sqlite'; readonly path: string } | { readonly kind: 'esdb'; readonly connectionString: string };

/** Where the read model is: always a SQLite file (the projector's, or a query replica's own). */
export type ReadModelSpec = { readonly kind: 'sqlite'; readonly path: string };

const BROKER = /^[^\s:,]+:\d{1,5}$/;

/** `sqlite:<file>` or `kafka:<host:port,...>`, as in `VIGIL_LOG`. */
export const LogSpecInput = z.string().transform((v, ctx): LogSpec => {
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { kind: 'sqlite', path: v.slice('sqlite:'.length) };
  if (v.startsWith('kafka:')) {
    const brokers = v
      .slice('kafka:'.length)
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b !== '');
    const bad = brokers.find((b) => !BROKER.test(b));
    if (brokers.length > 0 && bad === undefined) return { kind: 'kafka', brokers };
    ctx.addIssue({ code: 'custom', message: `broker ${JSON.stringify(bad ?? '')} is not host:port; write kafka:127.0.0.1:9092[,host2:9092]` });
    return z.NEVER;
  }
  ctx.addIssue({ code: 'custom', message: `must be sqlite:<file> or kafka:<host:port,...> (got ${JSON.stringify(v)})` });
  return z.NEVER;
});

/** `sqlite:<file>`, `esdb:<connection string>` or the connection string itself (`esdb://…`), as in `VIGIL_STORE`. */
export const StoreSpecInput = z.string().transform((v, ctx): StoreSpec => {
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { kind: 'sqlite', path: v.slice('sqlite:'.length) };
  const connectionString = /^esdb(\+discover)?:\/\//.test(v) ? v : v.startsWith('esdb:') ? v.slice('esdb:'.length) : '';
  if (/^(esdb:)?kurrentdb(\+discover)?:\/\//.test(v)) {
    // The same server answers either scheme, but @eventstore/db-client parses only esdb:// (a kurrentdb:// URL fails
    // deep inside the client at first use): refused here, at start, with the form to write instead.
    const fixed = v.replace(/^(esdb:)?kurrentdb/, 'esdb');
    ctx.addIssue({ code: 'custom', message: `kurrentdb:// URLs are not understood by the EventStoreDB client; write ${JSON.stringify(fixed)} (same server, esdb:// scheme)` });
    return z.NEVER;
  }
  if (/^(esdb|esdb\+discover):\/\/[^/]/.test(connectionString)) return { kind: 'esdb', connectionString };
  ctx.addIssue({ code: 'custom', message: `must be sqlite:<file> or esdb:esdb://host:2113?tls=false (got ${JSON.stringify(v)})` });
  return z.NEVER;
});

/** `sqlite:<file>`, as in `VIGIL_READ_MODEL`. */
export const ReadModelSpecInput = z.string().transform((v, ctx): ReadModelSpec => {
  if (v.startsWith('sqlite:') && v.length > 'sqlite:'.length) return { kind: 'sqlite', path: v.slice('sqlite:'.length) };
  ctx.addIssue({ code: 'custom', message: `must be sqlite:<file> (got ${JSON.stringify(v)})` });
  return z.NEVER;
});
