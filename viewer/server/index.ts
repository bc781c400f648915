/**
 * The viewer server: a read-only JSON API over a runs folder plus the built PixiJS client.
 */
export {
  createViewerApp,
  startViewer,
  isLoopbackHost,
  MAX_PAGE_STEPS,
  MAX_PAGE_BYTES,
} from './app';
export type { ViewerAppOptions, StartViewerOptions, RunningViewer } from './app';
export {
  buildClient,
  ensureClientBuilt,
  isClientBuilt,
  clientSourceHash,
  CLIENT_ROOT,
  DEFAULT_CLIENT_DIST,
} from './build';
export { indexEpisode, EpisodeIndexCache, actionStatsBefore, readStepsJson } from './episodeIndex';
export type { EpisodeIndex } from './episodeIndex';
export { MetricsReader, emptyMetrics } from './metrics';
export type { MetricsTable } from './metrics';
export { listRuns, listEpisodes, readRunJson, RunLister } from './runs';
export type { RunSummary, EpisodeEntry } from './runs';
export { NotFoundError, resolveInside, isSafeSegment, isWithin } from './safePath';
