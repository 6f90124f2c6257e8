export { ManualScheduler } from './manual-scheduler.ts';
