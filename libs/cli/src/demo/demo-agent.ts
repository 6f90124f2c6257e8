/**
 * One demo agent: a real process using the SDK, beating every `DEMO_INTERVAL_SECONDS`, doing pretend work and
 * reporting it. The demo runner freezes it (SIGSTOP), crashes it (SIGKILL) or kills it through the API; SIGTERM
 * makes it say goodbye like a well-behaved agent. Configured by environment, since it is spawned, not typed.
 */
import { VigilClient } from '@vigil/sdk';

const url = process.env['VIGIL_URL'] ?? 'http://127.0.0.1:8080';
const apiKey = process.env['VIGIL_API_KEY'] ?? '';
const agentId = process.env['DEMO_AGENT_ID'] ?? 'demo-agent';
const intervalSeconds = Number(process.env['DEMO_INTERVAL_SECONDS'] ?? '1');

const client = new VigilClient({ apiKey, url });
const session = client.mesh.startHeartbeat({ agentId, intervalSeconds, labels: { demo: 'true' } });
let completed = 0;
const work = setInterval(() => {
  completed++;
  const latencyMs = 50 + Math.round(Math.random() * 400);
  session.reportMetric({ success: Math.random() > 0.05, latencyMs, costUsd: 0.002 });
  session.progress({ completed, inFlight: 1 });
}, 300);

process.on('SIGTERM', () => {
  clearInterval(work);
  void session.stop({ reason: 'demo over' }).finally(() => process.exit(0));
});
