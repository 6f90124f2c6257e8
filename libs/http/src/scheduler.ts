/** Stops a scheduled task. */
export type Cancel = () => void;

/** Runs a task every `intervalMs`; injected so that tests drive timers by hand instead of sleeping. */
export interface Scheduler {
  every(intervalMs: number, task: () => void): Cancel;
}

/** The real scheduler, on `setInterval`. */
export const intervalScheduler: Scheduler = {
  every(intervalMs, task) {
    const handle = setInterval(task, intervalMs);
    return () => clearInterval(handle);
  },
};
