import { describe, inject } from 'vitest';
import { eventStoreContractSuite } from '../../testing/index.ts';
import { EsdbEventStore } from './esdb-event-store.ts';

const eventstoreUrl = inject('eventstoreUrl');
if (!eventstoreUrl) {
  console.warn('EsdbEventStore contract suite skipped: EVENTSTORE_URL is not set (e.g. EVENTSTORE_URL=esdb://localhost:2113?tls=false)');
}

describe.skipIf(!eventstoreUrl)('EsdbEventStore against a real server', () => {
  eventStoreContractSuite('EsdbEventStore', async () => {
    const store = new EsdbEventStore({ connectionString: eventstoreUrl });
    return { store, cleanup: () => store.close() };
  });
});
