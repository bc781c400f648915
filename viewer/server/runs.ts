import * as fs from 'node:fs';
import { CorruptFileError } from '../../src/index';
import { NotFoundError, resolveInside } from './safePath';

/** One line of the run list. */
export interface RunSummary {
  /** Folder name under the runs folder. */
  name: string;
  /** `'rl'` or `'supervised'`. */
  kind?: string;
  /** Env id of an RL run. */
  envId?: string;
  /** Viewer family of the env. */
  family?: string;
  /** `'running'`, `'finished'` or `'stopped'`. */
  status?: string;
  /** ISO creation time. */
  createdAt?: string;
  /** Agent name. */
  agent?: string;
  /** Experiment id of a supervised run. */
  experiment?: string;
  /** Run seed. */
  seed?: number;
  /** Why run.json could not be read, when it could not. */
  error?: string;
  /** Last modification of the run folder, ms since the epoch. */
  modifiedMs: number;
}

/** One recorded episode file of a run. */
export interface EpisodeEntry {
  /** File name, e.g. `episode-000012.jsonl`. */
  file: string;
  /** `'train'` for episode-*.jsonl, `'eval'` for eval-*.jsonl, `'other'` for other names. */
  kind: 'train' | 'eval' | 'other';
  /** Index parsed from the name, or null. */
  index: number | null;
  /** Size in bytes. */
  size: number;
  /** Last modification, ms since the epoch. */
  modifiedMs: number;
}

/** Reads and parses a JSON file the server already resolved, naming `shown` in errors. */
async function readJsonObject(file: string, shown: string): Promise<Record<string, unknown>> {
  const text = await fs.promises.readFile(file, 'utf8');
  try {
    const value = JSON.parse(text);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new Error('not a JSON object');
    }
    return value;
  } catch (cause) {
    throw new CorruptFileError(
      `${shown}: not a valid JSON object (${(cause as Error).message}). ` +
        'The file is damaged or still being written; reload in a moment or delete the run.',
      { cause },
    );
  }
}

/** The parsed run.json of a run. */
export async function readRunJson(root: string, run: string): Promise<Record<string, unknown>> {
  const file = await resolveInside(root, [run, 'run.json']);
  return readJsonObject(file, `${run}/run.json`);
}

function summarize(name: string, json: Record<string, unknown>, modifiedMs: number): RunSummary {
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const agent = json.agent as { name?: unknown } | undefined;
  return {
    name,
    kind: str(json.kind),
    envId: str(json.envId),
    family: str(json.family),
    status: str(json.status),
    createdAt: str(json.createdAt),
    agent: str(agent?.name),
    experiment: str(json.experiment),
    seed: typeof json.seed === 'number' ? json.seed : undefined,
    modifiedMs,
  };
}

/**
 * Every run folder (a folder holding run.json) under the runs folder, newest first. Read from
 * disk on every call, so new runs appear without a restart; a run whose run.json is damaged
 * is listed with its error; entries whose real path leaves the runs folder are skipped.
 */
export async function listRuns(root: string): Promise<RunSummary[]> {
  let names: string[];
  try {
    names = await fs.promises.readdir(root);
  } catch {
    return [];
  }
  const runs = await Promise.all(names.map((name) => summarizeRun(root, name)));
  return runs
    .filter((r): r is RunSummary => r !== null)
    .sort(
      (a, b) =>
        (b.createdAt ?? '').localeCompare(a.createdAt ?? '') || a.name.localeCompare(b.name),
    );
}

async function summarizeRun(root: string, name: string): Promise<RunSummary | null> {
  let dir: string;
  try {
    dir = await resolveInside(root, [name]);
    if (!(await fs.promises.stat(dir)).isDirectory()) return null;
  } catch {
    return null;
  }
  const modifiedMs = (await fs.promises.stat(dir)).mtimeMs;
  try {
    return summarize(name, await readRunJson(root, name), modifiedMs);
  } catch (error) {
    if (error instanceof NotFoundError) return null;
    return { name, error: (error as Error).message, modifiedMs };
  }
}

const EPISODE_NAME = /^(episode|eval)-(\d+)\.jsonl$/;

/** The finished episode files of a run (temporary `.tmp` files are in progress and skipped). */
export async function listEpisodes(root: string, run: string): Promise<EpisodeEntry[]> {
  await resolveInside(root, [run]);
  let dir: string;
  try {
    dir = await resolveInside(root, [run, 'episodes']);
  } catch {
    return [];
  }
  const names = (await fs.promises.readdir(dir)).filter((n) => n.endsWith('.jsonl'));
  const entries = await Promise.all(names.map((file) => episodeEntry(root, run, file)));
  const order = { train: 0, eval: 1, other: 2 };
  return entries
    .filter((e): e is EpisodeEntry => e !== null)
    .sort(
      (a, b) =>
        order[a.kind] - order[b.kind] ||
        (a.index ?? 0) - (b.index ?? 0) ||
        a.file.localeCompare(b.file),
    );
}

async function episodeEntry(root: string, run: string, file: string): Promise<EpisodeEntry | null> {
  try {
    const real = await resolveInside(root, [run, 'episodes', file]);
    const stat = await fs.promises.stat(real);
    if (!stat.isFile()) return null;
    const match = EPISODE_NAME.exec(file);
    const kind = match ? (match[1] === 'eval' ? 'eval' : 'train') : 'other';
    return {
      file,
      kind,
      index: match ? Number(match[2]) : null,
      size: stat.size,
      modifiedMs: stat.mtimeMs,
    };
  } catch {
    return null;
  }
}

/**
 * {@link listRuns} shared between requests: the list is re-read when the runs folder itself
 * changes (a new run folder appears at once) and at most `ttlMs` after the last read (so a
 * run's status change shows within that time). Under many clients polling, the folder is read
 * about once per `ttlMs` instead of once per request.
 */
export class RunLister {
  private cached: { key: string; at: number; runs: Promise<RunSummary[]> } | null = null;

  /**
   * @param root - the runs folder.
   * @param ttlMs - longest reuse of a listing, in milliseconds.
   */
  constructor(
    private readonly root: string,
    private readonly ttlMs = 1000,
  ) {}

  /** The current run list. */
  async list(): Promise<RunSummary[]> {
    const stat = await fs.promises.stat(this.root).catch(() => null);
    const key = stat ? `${stat.ino}:${stat.mtimeMs}` : 'missing';
    const now = Date.now();
    if (this.cached && this.cached.key === key && now - this.cached.at < this.ttlMs) {
      return this.cached.runs;
    }
    const runs = listRuns(this.root);
    this.cached = { key, at: now, runs };
    runs.catch(() => (this.cached = null));
    return runs;
  }
}
