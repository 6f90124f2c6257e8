import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const KAFKA_DIR = fileURLToPath(new URL('../../../infra/kafka/', import.meta.url));

/** A Kafka broker of one test's own, started and stopped through infra/kafka on free ports and its own data dir. */
export interface OwnBroker {
  /** `127.0.0.1:<port>`. */
  readonly address: string;
  /** `kafka-up.sh`: resolves once the broker serves metadata requests (the data dir, and so the topics, are kept). */
  up(): Promise<void>;
  /** `kafka-down.sh`: controlled shutdown. */
  down(): Promise<void>;
  /** Stops it and deletes its data. */
  destroy(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

/**
 * A second broker next to the shared one (`KAFKA_RUN_DIR` plus `KAFKA_PORT`/`KAFKA_CONTROLLER_PORT`), so a test can
 * stop and restart a broker without breaking the other Kafka tests that run at the same time on the shared one.
 */
export async function ownBroker(): Promise<OwnBroker> {
  const runDir = mkdtempSync(join(tmpdir(), 'vigil-kafka-'));
  const port = await freePort();
  const controllerPort = await freePort();
  const env = { ...process.env, KAFKA_RUN_DIR: runDir, KAFKA_PORT: String(port), KAFKA_CONTROLLER_PORT: String(controllerPort), KAFKA_HEAP_OPTS: '-Xms128m -Xmx512m' };
  const script = (name: string): Promise<void> =>
    new Promise((resolve, reject) => {
      execFile('bash', [join(KAFKA_DIR, name)], { env, timeout: 120_000 }, (err, stdout, stderr) => {
        if (err) reject(new Error(`${name} failed: ${err.message}\n${stdout}\n${stderr}`));
        else resolve();
      });
    });
  return {
    address: `127.0.0.1:${port}`,
    up: () => script('kafka-up.sh'),
    down: () => script('kafka-down.sh'),
    async destroy() {
      await script('kafka-down.sh').catch(() => undefined);
      rmSync(runDir, { recursive: true, force: true });
    },
  };
}
