/**
 * Writes one JSON Schema file per topic (and per event) under libs/contracts/schemas/, generated from the zod
 * schemas, for producers and consumers in other languages. `--check` fails when the committed files are stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import * as c from '../src/index.ts';

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');
const schemas: Record<string, z.ZodType> = {
  'agent-event': c.AgentEvent,
  'detector-output-event': c.DetectorOutputEvent,
  heartbeat: c.HeartbeatEvent,
  tick: c.TickEvent,
  'agent-killed': c.AgentKilledEvent,
  'agent-resumed': c.AgentResumedEvent,
  'agent-stopped': c.AgentStoppedEvent,
  'thresholds-set': c.ThresholdsSetEvent,
  'status-transitioned': c.StatusTransitionedEvent,
  'metric-summary': c.MetricSummaryEvent,
  'agent-registered': c.AgentRegisteredEvent,
  'agent-restarted': c.AgentRestartedEvent,
  'agent-flapping-cleared': c.AgentFlappingClearedEvent,
  'agent-forgotten': c.AgentForgottenEvent,
  'agent-forgotten-fact': c.AgentForgottenFactEvent,
  'retention-set': c.RetentionSetEvent,
};

const check = process.argv.includes('--check');
mkdirSync(outDir, { recursive: true });
let stale = 0;
for (const [name, schema] of Object.entries(schemas)) {
  const json = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' });
  const text = `${JSON.stringify({ $id: `https://vigil.dev/schemas/v${c.CONTRACT_VERSION}/${name}.json`, title: name, ...json }, null, 2)}\n`;
  const file = join(outDir, `${name}.schema.json`);
  if (check) {
    if (!existsSync(file) || readFileSync(file, 'utf8') !== text) {
      console.error(`stale: ${file} (run npm run schemas)`);
      stale++;
    }
  } else {
    writeFileSync(file, text);
  }
}
if (check && stale > 0) process.exit(1);
console.log(check ? `schemas up to date (${Object.keys(schemas).length})` : `wrote ${Object.keys(schemas).length} schemas to ${outDir}`);
