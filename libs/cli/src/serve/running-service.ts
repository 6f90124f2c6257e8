import type { FastifyInstance } from 'fastify';

/** A started `vigil serve` service: where it listens, and how to drain and close it. */
export interface RunningService {
  /** Base URL of its HTTP face (API, or /healthz, /readyz and /metrics for the detector and projector). */
  readonly url: string;
  /** Stops taking requests, drains consumers (the batch in hand finishes and commits), closes connections; idempotent. */
  close(): Promise<void>;
}

/**
 * Steps to undo, run last-in first-out: what a service opened is closed in reverse order, both on shutdown and
 * when start-up fails half way, so neither path leaks a connection or a consumer.
 */
export class ShutdownSteps {
  readonly #steps: Array<() => Promise<void> | void> = [];
  #running: Promise<void> | null = null;

  /** Registers a step to run at shutdown (after every step registered later). */
  add(step: () => Promise<void> | void): void {
    this.#steps.push(step);
  }

  /** Runs every step once, in reverse; a failing step does not stop the others. Idempotent. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) await Promise.allSettled([Promise.resolve().then(step)]);
    })();
    return this.#running;
  }
}

/** Listens and returns a URL a client can use (fastify reports `[::1]` for localhost). */
export async function listen(app: FastifyInstance, host: string, port: number): Promise<string> {
  const address = await app.listen({ host, port });
  return address.replace('[::1]', '127.0.0.1');
}
