/**
 * `@vigil/store/eventstoredb`: the EventStoreDB/KurrentDB adapter. A subpath of its own because it loads
 * `@eventstore/db-client` (gRPC, protobuf: a large module graph): only a process configured with an `esdb:` store
 * imports it, dynamically, so `vigil up` and every SQLite-only service never load it.
 */
export { EsdbEventStore } from './esdb-event-store.ts';
export { EsdbEventStoreOptions } from './options.ts';
export { packPosition, unpackPosition } from './esdb-position.ts';
