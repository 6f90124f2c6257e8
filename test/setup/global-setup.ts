import type {} from 'vitest';
import type { TestProject } from 'vitest/node';

/**
 * Starts nothing for the embedded tier; passes the Kafka address (if `infra/` started one) to the tests.
 * Kafka is optional on a developer machine (README) and required in CI (`VIGIL_REQUIRE_KAFKA=1`).
 */
export default function setup(project: TestProject): void {
  project.provide('kafkaBrokers', process.env.KAFKA_BROKERS ?? '');
  project.provide('eventstoreUrl', process.env.EVENTSTORE_URL ?? '');
}

declare module 'vitest' {
  export interface ProvidedContext {
    kafkaBrokers: string;
    eventstoreUrl: string;
  }
}
