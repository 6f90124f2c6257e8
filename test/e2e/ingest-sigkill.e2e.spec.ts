/**
 * Issue 9 (ingest that keeps up) acceptance: group commit answers a beat only after the SQLite transaction holding it
 * committed, so a `vigil up` SIGKILLed under concurrent load loses no acknowledged beat. Real processes: the load is
 * 16 concurrent HTTP clients, 12 posting single beats (parsed on the writer thread) and 4 posting batches of 150
 * (over 8 KiB, parsed on the HTTP thread; enough to make appends wait for the consumers at times, see
 * ConsumerLagGate); the platform is killed mid-load, restarted on the same data directory, and the log is read back.
 */
import { join } from 'node:path';
import { decodeAgentEvent, topicNames } from '@vigil/contracts';
import { EmbeddedLog } from '@vigil/log';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { ApiClient } from './support/api-client.ts';
import { Cleanup } from './support/cleanup.ts';
import { tempDataDir } from './support/temp-dir.ts';
import { startVigilUp } from './support/vigil-up.ts';
import { waitUntil } from './support/wait-for.ts';

const CLIENTS = 16;
/** Clients 0..BATCH_CLIENTS-1 post batches of BATCH beats, the others single beats. */
const BATCH_CLIENTS = 4;
const BATCH = 150;
const AGENTS_PER_CLIENT = 25;
/** Acknowledged beats wanted before the kill: enough that many groups of concurrent appends were committed. */
const ACKED_BEFORE_KILL = 600;
const API_KEY = 'k-sigkill-under-load';
const SETTLE_MS = 60_000;

/** A beat the platform answered 2xx: identified in the log by agent and seq. */
const beatId = (agentId: string, seq: number): string => `${agentId}#${seq}`;

describe('ingest under load (vigil up, SIGKILL)', () => {
  let cleanup: Cleanup;
  beforeEach(() => {
    cleanup = new Cleanup();
  });
  afterEach(async () => cleanup.run());

  it('keeps every acknowledged beat in the log when the process is SIGKILLed mid-load', async () => {
    const dataDir = tempDataDir(cleanup, 'vigil-e2e-ingest-sigkill');
    const up = await startVigilUp(cleanup, { dataDir, args: ['--api-key', API_KEY] });
    const api = new ApiClient(up.url, API_KEY);

    const acked = new Set<string>();
    let ackedBatches = 0;
    let failed = 0;
    let stop = false;
    const client = async (c: number): Promise<void> => {
      for (let seq = 1; !stop; seq++) {
        const beats =
          c < BATCH_CLIENTS
            ? Array.from({ length: BATCH }, (_, i) => ({ agentId: `batch-${c}-${i}`, instanceId: `client-${c}`, intervalSeconds: 30, seq }))
            : [{ agentId: `load-${c}-${seq % AGENTS_PER_CLIENT}`, instanceId: `client-${c}`, intervalSeconds: 30, seq }];
        try {
          const response = await api.request('POST', '/v1/heartbeats', beats.length === 1 ? beats[0] : { heartbeats: beats });
          if (response.status === 202) {
            for (const b of beats) acked.add(beatId(b.agentId, b.seq));
            if (beats.length > 1) ackedBatches++;
          } else failed++;
        } catch {
          failed++; // refused or reset: the kill; not acknowledged, so not promised
        }
      }
    };
    const clients = Array.from({ length: CLIENTS }, (_, c) => client(c));
    await waitUntil('acknowledged beats, some in batches', async () => ({ beats: acked.size, batches: ackedBatches }), (n) => n.beats >= ACKED_BEFORE_KILL + 20 * BATCH && n.batches >= 20, { timeoutMs: SETTLE_MS });

    up.process.signal('SIGKILL');
    expect(await up.process.waitForExit(10_000)).toEqual({ code: null, signal: 'SIGKILL' });
    stop = true;
    await Promise.all(clients);
    const promised = new Set(acked);
    expect(promised.size).toBeGreaterThanOrEqual(ACKED_BEFORE_KILL);

    // Restarted on the same data, the platform comes up and knows every agent that had a beat acknowledged.
    const again = await startVigilUp(cleanup, { dataDir, args: ['--api-key', API_KEY] });
    const apiAgain = new ApiClient(again.url, API_KEY);
    const agents = new Set([...promised].map((id) => id.slice(0, id.indexOf('#'))));
    await waitUntil('the read model after the restart', () => apiAgain.summary(), (s) => s.total >= agents.size, { timeoutMs: SETTLE_MS });

    // Every acknowledged beat is in the log (other beats may be too: appended, but killed before their answer).
    const log = new EmbeddedLog({ path: join(dataDir, 'vigil.db') });
    cleanup.defer('close the log reader', () => log.close());
    const topic = topicNames('vigil.').agentEvents;
    const inLog = new Set<string>();
    for (let partition = 0; partition < (await log.partitionCount(topic)); partition++) {
      const end = await log.endOffset(topic, partition);
      for (let offset = 0; offset < end; ) {
        const records = await log.read(topic, partition, offset, 5_000);
        if (records.length === 0) break;
        for (const r of records) {
          const event = decodeAgentEvent(r.value);
          if (event.type === 'heartbeat' && event.data.seq !== undefined) inLog.add(beatId(event.agentId, event.data.seq));
        }
        offset = records[records.length - 1]!.offset + 1;
      }
    }
    const missing = [...promised].filter((id) => !inLog.has(id));
    console.log(`[ingest-sigkill] ${promised.size} beats acknowledged before SIGKILL (${ackedBatches} batches of ${BATCH}), ${failed} requests failed or cut off, ${inLog.size} in the log, ${missing.length} missing`);
    expect(missing).toEqual([]);
  });
});
