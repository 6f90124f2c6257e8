import type { FleetSummary } from '@vigil/contracts';
import type { Palette } from './colour.ts';

/** The order statuses are said in: the usual first, then what needs a look, then what was stopped on purpose. */
const ORDER = ['healthy', 'degraded', 'unreachable', 'stalled', 'killed', 'stopped'] as const;

/** `Summary: 2 healthy, 1 degraded, 1 unreachable, 1 killed` (statuses with no agent left out). */
export function summaryLine(s: FleetSummary, palette: Palette): string {
  const parts = ORDER.filter((status) => s[status] > 0).map((status) => palette.status(status, `${s[status]} ${status}`));
  return `Summary: ${parts.length === 0 ? 'no agents' : parts.join(', ')}`;
}
