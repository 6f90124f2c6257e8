import { describe, inject, it } from 'vitest';

/** The test broker and whether this file's suite must be skipped. */
export interface BrokerEnv {
  readonly brokers: string;
  readonly skip: boolean;
}

/**
 * The broker the global setup passes (`KAFKA_BROKERS`). Without one the suite is skipped with a printed reason on a
 * developer machine, and fails (one failing test naming the fix) where `VIGIL_REQUIRE_KAFKA=1` says Kafka must be
 * there (CI), so a missing broker can never turn the Kafka tests green by skipping them.
 */
export function kafkaBrokerEnv(suite: string): BrokerEnv {
  const brokers = inject('kafkaBrokers');
  if (brokers !== '') return { brokers, skip: false };
  if (process.env.VIGIL_REQUIRE_KAFKA === '1') {
    describe(suite, () => {
      it('has a broker to test against', () => {
        throw new Error('VIGIL_REQUIRE_KAFKA=1 but KAFKA_BROKERS is empty: run `npm run kafka:up` and set KAFKA_BROKERS=127.0.0.1:9092');
      });
    });
  } else {
    console.warn(`skipping "${suite}": KAFKA_BROKERS is empty (npm run kafka:up, then KAFKA_BROKERS=127.0.0.1:9092)`);
  }
  return { brokers, skip: true };
}
