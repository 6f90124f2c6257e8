import type { TransitionView } from '@vigil/contracts';

/** An ISO 8601 UTC timestamp with milliseconds, as every time in the API must be. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** Transitions as `from->to` steps, for readable assertions on the path an agent took. */
export function steps(transitions: readonly TransitionView[]): string[] {
  return transitions.map((t) => `${t.from}->${t.to}`);
}

/** `iso` moved by `ms`, in the API's format. */
export function plusMs(iso: string, ms: number): string {
  return new Date(Date.parse(iso) + ms).toISOString();
}
