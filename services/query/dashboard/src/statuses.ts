/** Statuses in the order the fleet counts show them: the worst first, as the severity sort lists agents. */
export const STATUSES = ['unreachable', 'stalled', 'degraded', 'killed', 'healthy', 'stopped'] as const;
/** One of the statuses. */
export type Status = (typeof STATUSES)[number];
