/**
 * A tiny real agent, run as its own process (`node --conditions=vigil-source --import tsx ...sdk-agent.ts`) by the end-to-end
 * tests; never imported. It does what an agent author would: one `startHeartbeat` call with a 1 s interval, some
 * pretend work reported as metrics and progress, and on SIGTERM a graceful `stop()` (last beat, then goodbye) before
 * exiting 0. It prints one JSON line per event on stdout, so the test can tell when it is beating and when it is done.
 * Configured by environment: VIGIL_URL, VIGIL_API_KEY, AGENT_ID.
 */
import { VigilClient } from '@vigil/sdk';

const url = process.env['VIGIL_URL'];
const apiKey = process.env['VIGIL_API_KEY'];
const agentId = process.env['AGENT_ID'];
if (url === undefined || apiKey === undefined || agentId === undefined) throw new Error('VIGIL_URL, VIGIL_API_KEY and AGENT_ID are required');

const say = (event: string, fields: Record<string, unknown> = {}): void => {
  process.stdout.write(`${JSON.stringify({ event, agentId, pid: process.pid, ...fields })}\n`);
};

const client = new VigilClient({ apiKey, url });
const session = client.mesh.startHeartbeat({ agentId, intervalSeconds: 1, labels: { suite: 'e2e' } });
session.on('beat', (beat) => say('beat', { seq: beat.seq, status: beat.status, killed: beat.killed }));
session.on('error', (err) => say('error', { message: err.message }));

// The SDK's timer never keeps a process alive (by design), so the agent's own work does, as in a real agent.
let completed = 0;
const work = setInterval(() => {
  completed++;
  session.reportMetric({ success: true, latencyMs: 20, costUsd: 0.001 });
  session.progress({ completed, inFlight: 0 });
}, 250);

process.once('SIGTERM', () => {
  clearInterval(work);
  void session.stop({ reason: 'e2e: graceful shutdown' }).then(() => {
    say('stopped');
    process.exit(0);
  });
});
