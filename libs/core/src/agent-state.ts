import type { AgentStatus } from '@vigil/contracts';
import type { MetricAccumulator } from './metric-accumulator.ts';
import type { ThresholdOverrides } from './thresholds.ts';

/** No time yet: used for "never" in numeric time fields (kept numeric so V8 keeps the fields unboxed-friendly). */
export const NEVER = -1;

/**
 * What the detector remembers of one agent. Mutable on purpose: the detector owns it exclusively and a million
 * beats a second cannot afford a copy per event; determinism comes from the detector never reading anything but its
 * input. Kept small (see the benchmark's bytes per agent).
 */
export class AgentState {
  /** Status, or null before the first beat (an agent killed before it ever beat). */
  status: AgentStatus | null = null;
  statusSince = NEVER;
  lastBeat = NEVER;
  /** When `completed` last moved (or work first went in flight); the stall clock starts here. */
  progressAt = NEVER;
  completed = 0;
  inFlight = 0;
  instanceId = '';
  /** Highest `seq` seen from the current instance, NEVER before one: a beat at or below it is a repeat. */
  lastSeq = NEVER;
  intervalMs = 30_000;
  restarts = 0;
  /** Times of recent restarts (at most `flappingRestarts + 1` kept). */
  recentRestarts: number[] | null = null;
  flapping = false;
  /** Count of transitions emitted, part of each transition's content id. */
  transitions = 0;
  overrides: ThresholdOverrides | undefined = undefined;
  /** Generation of the live deadline-queue entry; older entries are superseded. */
  gen = 0;
  /** Deadline of the live queue entry, +Infinity when none. */
  queuedAt = Number.POSITIVE_INFINITY;
  /** Open metric windows with samples of this agent (usually one). */
  metrics: MetricAccumulator[] | null = null;

  constructor(
    /** Interned by the detector: one string per tenant, not one per agent. */
    readonly tenant: string,
    readonly agentId: string,
    /** Order of first sight: breaks ties between equal deadlines deterministically. */
    readonly seq: number,
  ) {}

  /** `<tenant>/<agentId>`: derived, not stored (it is read only when an output or a checkpoint is built). */
  get key(): string {
    return `${this.tenant}/${this.agentId}`;
  }
}
