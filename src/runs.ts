import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic, readJsonFile } from './fsutil';
import { CorruptFileError, FileNotFoundError, InvalidConfigError, describeValue } from './errors';
import { TSGYM_VERSION } from './version';

/** Contents of `run.json` (see DESIGN.md, "Runs"). */
export interface RunInfo {
  /** Always `'tsgym-run/1'`. */
  format: 'tsgym-run/1';
  /** Folder name under the runs root. */
  name: string;
  /** `'rl'` for agent training, `'supervised'` for the TF.js experiments. */
  kind: 'rl' | 'supervised';
  /** ISO time of creation. */
  createdAt: string;
  /** tsgym version that wrote the run. */
  tsgymVersion: string;
  /** Node.js version that ran it. */
  nodeVersion: string;
  /** Env id (RL runs). */
  envId?: string;
  /** Env keyword arguments (RL runs). */
  envKwargs?: Record<string, unknown>;
  /** Viewer renderer family of the env. */
  family?: string;
  /** The agent and its hyper-parameters (RL runs). */
  agent?: { name: string; config: Record<string, unknown> };
  /** Experiment name (supervised runs). */
  experiment?: string;
  /** The run seed all streams derive from (null until training starts). */
  seed: number | null;
  /** Everything else: budgets, options. */
  config: Record<string, unknown>;
  /** TF.js backend in use, when any. */
  backend?: string;
  /** Threads the backend's heavy kernels ran on (wasm; see `supervised/helper-threads.ts`). */
  threads?: number;
  /** Whether the run is still being written. */
  status: 'running' | 'finished' | 'stopped';
}

/** One line of `metrics.jsonl`: step, time and any namespaced metric keys. */
export type MetricsLine = { step: number; episode?: number; time: number } & Record<
  string,
  number | undefined
>;

/** File name of training episode `index`. */
export function episodeFileName(index: number, prefix: 'episode' | 'eval' = 'episode'): string {
  return `${prefix}-${String(index).padStart(6, '0')}.jsonl`;
}

/**
 * Writes one run folder: `run.json` (atomically, rewritten on status changes),
 * `metrics.jsonl` (appended line by line), `episodes/` and `checkpoints/`.
 */
export class RunWriter {
  /** Absolute path of the run folder. */
  readonly dir: string;
  private info: RunInfo;
  private metricsFd: number;

  /**
   * @param dir - the run folder, e.g. `runs/frozenlake-q`; created if missing.
   * @param info - run.json fields; format, versions, time and status are filled in, `name`
   *   defaults to the folder name, `kind` to 'rl', and `train` fills in the env, the agent and
   *   the seed.
   * @param resume - continue an existing run: metrics lines logged after `afterStep` (the
   *   checkpoint resumed from) are dropped, then new lines are appended.
   */
  constructor(
    dir: string,
    info: Partial<Omit<RunInfo, 'format' | 'tsgymVersion' | 'nodeVersion' | 'status'>> = {},
    resume?: { afterStep: number },
  ) {
    this.dir = path.resolve(dir);
    const name = info.name ?? path.basename(this.dir);
    validateRunName(name);
    fs.mkdirSync(path.join(this.dir, 'episodes'), { recursive: true });
    fs.mkdirSync(path.join(this.dir, 'checkpoints'), { recursive: true });
    this.info = {
      format: 'tsgym-run/1',
      createdAt: new Date().toISOString(),
      tsgymVersion: TSGYM_VERSION,
      nodeVersion: process.version,
      status: 'running',
      name,
      kind: 'rl',
      seed: null,
      config: {},
      ...info,
    };
    this.writeInfo();
    const metricsPath = path.join(this.dir, 'metrics.jsonl');
    if (resume && fs.existsSync(metricsPath)) {
      const kept = readMetrics(this.dir).filter((line) => line.step <= resume.afterStep);
      writeFileAtomic(metricsPath, kept.map((line) => JSON.stringify(line) + '\n').join(''));
    }
    this.metricsFd = fs.openSync(metricsPath, resume ? 'a' : 'w');
  }

  /** The current contents of run.json. */
  get runInfo(): Readonly<RunInfo> {
    return this.info;
  }

  /** Path inside `episodes/`. */
  episodePath(fileName: string): string {
    return path.join(this.dir, 'episodes', fileName);
  }

  /** Appends one metrics line. Non-finite numbers are written as null. */
  logMetrics(line: MetricsLine): void {
    fs.writeSync(this.metricsFd, JSON.stringify(line) + '\n');
  }

  /** Merges fields into run.json and rewrites it atomically. */
  update(fields: Partial<RunInfo>): void {
    this.info = { ...this.info, ...fields };
    this.writeInfo();
  }

  /** Saves a checkpoint atomically as `checkpoint-<step>.json` and `latest.json`. */
  saveCheckpoint(step: number, state: unknown): string {
    const text = JSON.stringify({ format: 'tsgym-checkpoint/1', step, state });
    // Zero-padded so that file names sort in step order.
    const name = `checkpoint-${String(step).padStart(12, '0')}.json`;
    const file = path.join(this.dir, 'checkpoints', name);
    writeFileAtomic(file, text);
    writeFileAtomic(path.join(this.dir, 'checkpoints', 'latest.json'), text);
    return file;
  }

  /** Marks the run finished (or stopped) and closes the metrics file. */
  close(status: 'finished' | 'stopped' = 'finished'): void {
    this.update({ status });
    fs.closeSync(this.metricsFd);
  }

  private writeInfo(): void {
    writeFileAtomic(path.join(this.dir, 'run.json'), JSON.stringify(this.info, null, 2) + '\n');
  }
}

/**
 * Loads a checkpoint written by {@link RunWriter.saveCheckpoint}.
 *
 * @param file - a checkpoint file, or a run folder (its `checkpoints/latest.json` is used).
 * @throws CorruptFileError when the file is missing, truncated or of another format.
 */
export function loadCheckpoint(file: string): { step: number; state: unknown } {
  if (!fs.existsSync(file)) {
    throw new FileNotFoundError(
      `checkpoint ${file} does not exist; pass a run folder or one of its checkpoints/*.json.`,
    );
  }
  if (fs.statSync(file).isDirectory()) {
    file = path.join(file, 'checkpoints', 'latest.json');
  }
  const data = readJsonFile<{ format?: string; step?: number; state?: unknown }>(
    file,
    'checkpoint',
  );
  if (data?.format !== 'tsgym-checkpoint/1' || typeof data.step !== 'number') {
    throw new CorruptFileError(
      `checkpoint ${file} has format ${describeValue(data?.format)}; expected ` +
        "'tsgym-checkpoint/1' with a numeric step. Point --resume at a run folder or checkpoint.",
    );
  }
  return { step: data.step, state: data.state };
}

/**
 * Reads `metrics.jsonl`, ignoring a last line cut short by a writer still at work.
 *
 * @throws CorruptFileError when a line other than the last is not valid JSON.
 */
export function readMetrics(runDir: string): MetricsLine[] {
  const file = path.join(runDir, 'metrics.jsonl');
  const lines = fs.readFileSync(file, 'utf8').split('\n');
  const out: MetricsLine[] = [];
  lines.forEach((line, i) => {
    if (line.trim() === '') return;
    try {
      out.push(JSON.parse(line));
    } catch (cause) {
      if (i >= lines.length - 2) return;
      throw new CorruptFileError(`${file}: line ${i + 1} is not valid JSON.`, { cause });
    }
  });
  return out;
}

/**
 * Checks a run name: letters, digits, dot, dash and underscore only.
 *
 * @throws InvalidConfigError naming the bad name.
 */
export function validateRunName(name: string): void {
  if (!/^[A-Za-z0-9._-]+$/.test(name) || name === '.' || name === '..') {
    throw new InvalidConfigError(
      `run name ${describeValue(name)} is not allowed; use letters, digits, '.', '-' and '_' ` +
        "only, e.g. 'frozenlake-q-seed0'.",
    );
  }
}
