import { VigilError } from '@vigil/contracts';
import { TopicNotFoundError, type EventLog } from '@vigil/log';
import type { Logger } from 'pino';
import { sleepUnlessAborted } from '../abortable-sleep.ts';

/** How often a service looks again for topics that ingest has not created yet. */
const RETRY_MS = 1000;

/**
 * Waits until the topics exist. In distributed mode ingest creates them (it alone knows VIGIL_PARTITIONS for sure),
 * and the services may start in any order, so the others wait rather than fail or create them with a guess.
 * An unreachable log (a retriable error) is waited for too, so a service started before Kafka is up answers /readyz
 * with 503 instead of crash-looping. Resolves false if `signal` aborts first.
 */
export async function waitForTopics(log: EventLog, topics: readonly string[], logger: Logger, signal?: AbortSignal): Promise<boolean> {
  for (let attempt = 0; ; attempt++) {
    const missing: string[] = [];
    for (const topic of topics) {
      try {
        await log.partitionCount(topic);
      } catch (err) {
        if (err instanceof TopicNotFoundError) missing.push(topic);
        else if (err instanceof VigilError && err.retriable) {
          if (attempt % 10 === 0) logger.warn({ err }, 'the log is unreachable; waiting for it');
          missing.push(topic);
        } else throw err;
      }
    }
    if (missing.length === 0) return true;
    if (attempt % 10 === 0) logger.info({ missing }, 'waiting for topics (vigil serve ingest creates them)');
    if (await sleepUnlessAborted(RETRY_MS, signal)) return false;
  }
}
