import type { EpisodeFooter, EpisodeHeader } from '../../src/recording';
import type { MetricsColumns } from './scene/chart';
import type { StepPage } from './scene/stepCache';

/** A run as listed by `GET /api/runs`. */
export interface RunSummary {
  /** Folder name. */
  name: string;
  /** `'rl'` or `'supervised'`. */
  kind?: string;
  /** Env id. */
  envId?: string;
  /** Viewer family. */
  family?: string;
  /** `'running'`, `'finished'` or `'stopped'`. */
  status?: string;
  /** ISO creation time. */
  createdAt?: string;
  /** Agent name. */
  agent?: string;
  /** Supervised experiment id. */
  experiment?: string;
  /** Why run.json is unreadable, if it is. */
  error?: string;
}

/** An episode file as listed by `GET /api/runs/:run/episodes`. */
export interface EpisodeEntry {
  /** File name. */
  file: string;
  /** `'train'`, `'eval'` or `'other'`. */
  kind: string;
  /** Index from the file name. */
  index: number | null;
  /** Bytes. */
  size: number;
}

/** `GET /api/runs/:run/episodes/:file`. */
export interface EpisodeInfo {
  /** File name. */
  file: string;
  /** Bytes. */
  size: number;
  /** Number of steps. */
  length: number;
  /** Header line. */
  header: EpisodeHeader;
  /** Footer line. */
  footer: EpisodeFooter;
  /** Mean bytes per step line, to size pages. */
  averageLineBytes: number;
}

/** Metrics table as served. */
export interface MetricsResponse extends MetricsColumns {
  /** Complete lines that were not JSON. */
  skippedLines: number;
  /** The last line is being written. */
  partialLastLine: boolean;
  /** Original row count when averaged down. */
  downsampledFrom?: number;
}

/** An error answer of the API, with the server's message. */
export class ApiError extends Error {
  /** @param status - HTTP status. */
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

async function getJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { cache: 'no-store' });
  const body = await response
    .json()
    .catch(() => ({ error: `${response.status} ${response.statusText}` }));
  if (!response.ok)
    throw new ApiError((body as { error?: string }).error ?? response.statusText, response.status);
  return body as T;
}

const enc = encodeURIComponent;

/** Typed calls of the viewer's JSON API. */
export const api = {
  runs: () => getJson<{ runs: RunSummary[] }>('api/runs').then((r) => r.runs),
  run: (run: string) => getJson<Record<string, unknown>>(`api/runs/${enc(run)}`),
  metrics: (run: string, maxPoints = 4000) =>
    getJson<MetricsResponse>(`api/runs/${enc(run)}/metrics?maxPoints=${maxPoints}`),
  episodes: (run: string) =>
    getJson<{ episodes: EpisodeEntry[] }>(`api/runs/${enc(run)}/episodes`).then((r) => r.episodes),
  episode: (run: string, file: string) =>
    getJson<EpisodeInfo>(`api/runs/${enc(run)}/episodes/${enc(file)}`),
  steps: (run: string, file: string, from: number, count: number) =>
    getJson<StepPage & { count: number }>(
      `api/runs/${enc(run)}/episodes/${enc(file)}/steps?from=${from}&count=${count}`,
    ),
};
