export { DetectorService, type DetectorServiceDeps, type DetectorServiceStats, type TransitionCounts } from './detector-service.ts';
export { defaultDetectorServiceOptions, type DetectorServiceOptions } from './options.ts';
export { readChangelog, changelogRecords } from './state-changelog.ts';
