import * as fs from 'node:fs';
import * as path from 'node:path';
import * as readline from 'node:readline';
import type { RngState } from './rng';
import type { SpaceJSON } from './spaces';
import type { Info, RenderFrame } from './env';
import { CorruptFileError, FileNotFoundError, InvalidConfigError, describeValue } from './errors';

/** Format tag on the first line of every episode file. */
export const EPISODE_FORMAT = 'tsgym-episode/1';

/** The agent that produced a recording. */
export interface RecordedAgent {
  /** Agent class or kind, e.g. `'QLearning'`. */
  name: string;
  /** Its hyper-parameters. */
  config: Record<string, unknown>;
}

/** First line of an episode file: enough to rebuild the env and re-run the episode. */
export interface EpisodeHeader {
  /** Always `'header'`. */
  kind: 'header';
  /** Always {@link EPISODE_FORMAT}. */
  format: typeof EPISODE_FORMAT;
  /** Registered env id passed to `make`. */
  envId: string;
  /** Keyword arguments passed to `make`, as {@link kwargsToJSON} writes them. */
  envKwargs: Record<string, unknown>;
  /** Time limit in force. */
  maxEpisodeSteps: number;
  /** Viewer renderer family, from the env's metadata. */
  family: string;
  /** tsgym version that wrote the file. */
  packageVersion: string;
  /** Seed passed to `reset`, or null when the episode continued an earlier stream. */
  seed: number | null;
  /** The env generator's state just before `reset`, so an unseeded episode replays too. */
  rngState: RngState | null;
  /** Options passed to `reset`. */
  resetOptions?: Record<string, unknown>;
  /** The agent, when known. */
  agent: RecordedAgent | null;
  /** JSON form of the observation space. */
  observationSpace: SpaceJSON;
  /** JSON form of the action space. */
  actionSpace: SpaceJSON;
  /** Index of the episode within its run (0-based). */
  episodeIndex: number;
  /** First observation, as JSON. */
  observation: unknown;
  /** Info returned by reset. */
  info: Info;
  /** Render frame after reset. */
  frame: RenderFrame | null;
}

/** One line per step after the header. */
export interface EpisodeStep {
  /** Always `'step'`. */
  kind: 'step';
  /** Step index within the episode, from 0. */
  t: number;
  /** The action taken, as JSON. */
  action: unknown;
  /** Observation after the action, as JSON. */
  observation: unknown;
  /** Reward of the transition. */
  reward: number;
  /** Terminal state reached. */
  terminated: boolean;
  /** Cut by a time limit. */
  truncated: boolean;
  /** Info returned by step. */
  info: Info;
  /** Probability the agent's policy gave the action it took, or null when unknown. */
  actionProb: number | null;
  /** Render frame after the step, or null when frames were not recorded. */
  frame: RenderFrame | null;
  /** Log-probability of the action, when the agent reported one (joint actions). */
  logProb?: number;
  /** Per-action values or probabilities the agent reported for this step, when recorded. */
  qValues?: number[];
}

/** Last line of a complete episode file; its absence means the file was cut short. */
export interface EpisodeFooter {
  /** Always `'end'`. */
  kind: 'end';
  /** Number of steps. */
  length: number;
  /** Undiscounted sum of rewards. */
  episodeReturn: number;
}

/** A recorded episode held in memory (small episodes; stream large ones). */
export interface Episode {
  /** The header line. */
  header: EpisodeHeader;
  /** Every step line, in order. */
  steps: EpisodeStep[];
  /** The footer line. */
  footer: EpisodeFooter;
}

/** JSON.stringify that writes typed arrays as plain arrays and non-finite numbers as null. */
export function toJSONLine(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    ArrayBuffer.isView(v) ? Array.from(v as unknown as ArrayLike<number>) : v,
  );
}

/** How a non-finite number in env kwargs is written, since JSON has no Infinity or NaN. */
export interface NonFiniteJSON {
  /** `'Infinity'`, `'-Infinity'` or `'NaN'`. */
  $number: string;
}

/**
 * Env kwargs as they go into a header, so that `make` gets them back exactly on replay:
 * non-finite numbers become {@link NonFiniteJSON} (plain JSON would turn an `emailBudget` of
 * `Infinity` into null) and typed arrays become plain arrays.
 *
 * @throws InvalidConfigError naming the key when a value has no JSON form (a function, a class
 *   instance such as an Rng, a bigint or a symbol): the recording could not rebuild the env.
 */
export function kwargsToJSON(kwargs: Record<string, unknown>, where = 'envKwargs'): unknown {
  return encodeValue(kwargs, where);
}

function encodeValue(v: unknown, where: string): unknown {
  if (typeof v === 'number') return Number.isFinite(v) ? v : { $number: String(v) };
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return v;
  if (ArrayBuffer.isView(v)) return Array.from(v as unknown as ArrayLike<number>);
  if (Array.isArray(v)) return v.map((e, i) => encodeValue(e, `${where}[${i}]`));
  const proto = typeof v === 'object' ? Object.getPrototypeOf(v) : undefined;
  if (proto !== Object.prototype && proto !== null) {
    throw new InvalidConfigError(
      `${where} is ${describeValue(v)}, which has no JSON form, so a recording could not ` +
        'rebuild the env; pass plain numbers, strings, booleans, arrays and objects to make().',
    );
  }
  const out: Record<string, unknown> = {};
  for (const [k, e] of Object.entries(v as object)) {
    if (e !== undefined) out[k] = encodeValue(e, `${where}.${k}`);
  }
  return out;
}

/** Inverse of {@link kwargsToJSON}: restores the non-finite numbers. */
export function kwargsFromJSON(json: unknown): Record<string, unknown> {
  return decodeValue(json ?? {}) as Record<string, unknown>;
}

function decodeValue(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(decodeValue);
  if (typeof v !== 'object' || v === null) return v;
  const keys = Object.keys(v);
  const tag = (v as Partial<NonFiniteJSON>).$number;
  if (keys.length === 1 && typeof tag === 'string') return Number(tag);
  const out: Record<string, unknown> = {};
  for (const k of keys) out[k] = decodeValue((v as Record<string, unknown>)[k]);
  return out;
}

/**
 * Writes an episode file line by line through a small buffer, so memory stays flat however
 * long the episode. Lines go to `<file>.tmp`; `close()` renames it into place, so a reader
 * never sees a half-written episode under the final name.
 */
export class EpisodeWriter {
  private fd: number;
  private buffer: string[] = [];
  private bufferedChars = 0;
  private length = 0;
  private episodeReturn = 0;
  private readonly tmpPath: string;

  /**
   * @param filePath - final path of the `.jsonl` file; its folder is created if missing.
   * @param header - the header line, written at once.
   */
  constructor(
    readonly filePath: string,
    header: EpisodeHeader,
  ) {
    const target = path.resolve(filePath);
    if (EpisodeWriter.open.has(target)) {
      throw new InvalidConfigError(
        `another EpisodeWriter is still writing ${filePath}; two recorders share one file name ` +
          '(e.g. RecordEpisode on every sub-env of a vector env with the same dir). Give each ' +
          'recorder its own dir.',
      );
    }
    fs.mkdirSync(path.dirname(filePath), { recursive: true });
    this.tmpPath = `${filePath}.${process.pid}.tmp`;
    this.fd = fs.openSync(this.tmpPath, 'w');
    EpisodeWriter.open.add(target);
    this.writeLine(toJSONLine(header));
  }

  // Final paths being written in this process; a second writer would share the temp file.
  private static readonly open = new Set<string>();

  /** Appends one step line. */
  step(step: Omit<EpisodeStep, 'kind' | 't'>): void {
    this.writeLine(toJSONLine({ kind: 'step', t: this.length, ...step }));
    this.length++;
    this.episodeReturn += step.reward;
  }

  /** Writes the footer, flushes, and renames the file into place. */
  close(): void {
    const footer: EpisodeFooter = {
      kind: 'end',
      length: this.length,
      episodeReturn: this.episodeReturn,
    };
    this.writeLine(JSON.stringify(footer));
    this.flush();
    fs.fsyncSync(this.fd);
    fs.closeSync(this.fd);
    EpisodeWriter.open.delete(path.resolve(this.filePath));
    fs.renameSync(this.tmpPath, this.filePath);
  }

  /** Closes and deletes the temporary file without publishing it. */
  abort(): void {
    EpisodeWriter.open.delete(path.resolve(this.filePath));
    fs.closeSync(this.fd);
    fs.rmSync(this.tmpPath, { force: true });
  }

  private writeLine(line: string): void {
    this.buffer.push(line);
    this.bufferedChars += line.length + 1;
    if (this.bufferedChars > 1 << 16) this.flush();
  }

  private flush(): void {
    if (this.buffer.length === 0) return;
    fs.writeSync(this.fd, this.buffer.join('\n') + '\n');
    this.buffer = [];
    this.bufferedChars = 0;
  }
}

function parseLine(line: string, filePath: string, lineNo: number): Record<string, unknown> {
  try {
    const value = JSON.parse(line);
    if (typeof value !== 'object' || value === null) throw new Error('not an object');
    return value;
  } catch (cause) {
    throw new CorruptFileError(
      `${filePath}: line ${lineNo} is not valid JSON (${describeValue(line.slice(0, 60))}). ` +
        'The recording is damaged; record the episode again.',
      { cause },
    );
  }
}

/**
 * Streams an episode file: yields the header, then each step, then the footer.
 *
 * @throws CorruptFileError when the file is unreadable, a line is not JSON, the header is
 *   missing or of another format, or the footer is missing (the file was cut short).
 */
export async function* streamEpisode(
  filePath: string,
): AsyncGenerator<EpisodeHeader | EpisodeStep | EpisodeFooter> {
  if (!fs.existsSync(filePath)) {
    throw new FileNotFoundError(`recording ${filePath} does not exist; check the path.`);
  }
  if (fs.statSync(filePath).isDirectory()) {
    throw new CorruptFileError(
      `${filePath} is a folder, not a recording; pass the .jsonl files inside it.`,
    );
  }
  let input: fs.ReadStream;
  try {
    fs.accessSync(filePath, fs.constants.R_OK);
    input = fs.createReadStream(filePath, { encoding: 'utf8' });
  } catch (cause) {
    throw new CorruptFileError(`${filePath}: cannot read the recording (${String(cause)}).`, {
      cause,
    });
  }
  const lines = readline.createInterface({ input, crlfDelay: Infinity });
  let lineNo = 0;
  let ended = false;
  for await (const line of lines) {
    lineNo++;
    if (line.trim() === '') continue;
    const record = parseLine(line, filePath, lineNo);
    checkRecord(record, filePath, lineNo, ended);
    if (record.kind === 'end') ended = true;
    yield record as unknown as EpisodeHeader | EpisodeStep | EpisodeFooter;
  }
  if (lineNo === 0) throw new CorruptFileError(`${filePath}: the recording is empty.`);
  if (!ended) {
    throw new CorruptFileError(
      `${filePath}: the recording is truncated (no 'end' line after ${lineNo} lines). ` +
        'It was cut short while being written; record the episode again.',
    );
  }
}

function checkRecord(
  record: Record<string, unknown>,
  filePath: string,
  lineNo: number,
  ended: boolean,
): void {
  if (lineNo === 1) {
    if (record.kind !== 'header' || record.format !== EPISODE_FORMAT) {
      throw new CorruptFileError(
        `${filePath}: line 1 must be a header of format '${EPISODE_FORMAT}'; ` +
          `received kind ${describeValue(record.kind)}, format ${describeValue(record.format)}.`,
      );
    }
  } else if (ended || (record.kind !== 'step' && record.kind !== 'end')) {
    throw new CorruptFileError(
      `${filePath}: line ${lineNo} has unexpected kind ${describeValue(record.kind)}; ` +
        "expected 'step' lines and one final 'end' line.",
    );
  }
}

/**
 * Reads a whole episode file into memory.
 *
 * @throws CorruptFileError as {@link streamEpisode}.
 */
export async function readEpisode(filePath: string): Promise<Episode> {
  let header: EpisodeHeader | undefined;
  let footer: EpisodeFooter | undefined;
  const steps: EpisodeStep[] = [];
  for await (const record of streamEpisode(filePath)) {
    if (record.kind === 'header') header = record;
    else if (record.kind === 'step') steps.push(record);
    else footer = record;
  }
  return { header: header!, steps, footer: footer! };
}
