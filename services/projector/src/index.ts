export { ProjectorService, toUuid, type ProjectorDeps, type ProjectorOptions, type ProjectorStats } from './projector-service.ts';
