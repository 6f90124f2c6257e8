import { InvalidEventError, type AgentEvent, type DetectorOutputEvent } from '@vigil/contracts';
import { replay, type ReplayOptions } from './replay.ts';
import { toReplayEvent } from './replay-input.ts';

/** Options of a JSONL replay. */
export interface ReplayJsonlOptions extends ReplayOptions {
  /** Also print lifecycle facts (registered, restarted, flapping cleared), not only transitions and metric summaries. */
  readonly all?: boolean;
}

/**
 * `vigil replay` without the I/O: JSONL text in (stored envelopes or the minimal form), JSONL text out — the
 * transitions, metric summaries and forgettings in emission order, one compact JSON object per line. Byte-identical for the same
 * input and options. Blank lines and lines starting with `#` are skipped; a bad line throws naming its number.
 */
export function replayJsonl(text: string, options: ReplayJsonlOptions = {}): string {
  const events: AgentEvent[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    let json: unknown;
    try {
      json = JSON.parse(line);
    } catch (err) {
      throw new InvalidEventError(`line ${i + 1}: not valid JSON`, { line: i + 1 }, err);
    }
    events.push(toReplayEvent(json, i + 1));
  }
  const out: DetectorOutputEvent[] = replay(events, options);
  const keep = options.all ? out : out.filter((o) => o.type === 'status-transitioned' || o.type === 'metric-summary' || o.type === 'agent-forgotten');
  return keep.map((o) => `${JSON.stringify(o)}\n`).join('');
}
