import type { Cancel, Scheduler } from '../src/scheduler.ts';

/** A scheduler for tests: nothing runs until `runAll()` is called. */
export class ManualScheduler implements Scheduler {
  private readonly tasks = new Map<number, { intervalMs: number; task: () => void }>();
  private nextId = 0;

  /** Registers a task; it runs only when the test says so. */
  every(intervalMs: number, task: () => void): Cancel {
    const id = this.nextId++;
    this.tasks.set(id, { intervalMs, task });
    return () => this.tasks.delete(id);
  }

  /** Runs every registered task once. */
  runAll(): void {
    for (const { task } of [...this.tasks.values()]) task();
  }

  /** Number of live (not cancelled) tasks. */
  get active(): number {
    return this.tasks.size;
  }

  /** Intervals of the live tasks, to check configuration reached the scheduler. */
  get intervals(): number[] {
    return [...this.tasks.values()].map((t) => t.intervalMs);
  }
}
