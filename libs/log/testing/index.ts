/** `@vigil/log/testing`: the contract suite every `EventLog` adapter passes, and its polling helper. */
export { logContractSuite, type LogFactory } from './log-contract-suite.ts';
export { waitFor } from './wait-for.ts';
