export { eventStoreContractSuite, type EventStoreFactory } from './event-store-contract-suite.ts';
