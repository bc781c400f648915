import * as fs from 'node:fs';
import {
  CorruptFileError,
  EPISODE_FORMAT,
  type EpisodeFooter,
  type EpisodeHeader,
} from '../../src/index';

/** Steps between two saved per-action tallies (see {@link EpisodeIndex.checkpoints}). */
const CHECKPOINT_EVERY = 1024;
const CHUNK_BYTES = 1 << 20;

/**
 * What the server remembers about one episode file after reading it once, in a streaming
 * pass: where each line starts, and running sums, so any page of steps can be read with one
 * positioned read. About 20 bytes per step; the step lines themselves stay on disk.
 */
export interface EpisodeIndex {
  /** Name shown in messages: `<run>/episodes/<file>`. */
  shown: string;
  /** File size when indexed. */
  size: number;
  /** Modification time when indexed. */
  mtimeMs: number;
  /** The header line. */
  header: EpisodeHeader;
  /** The footer line. */
  footer: EpisodeFooter;
  /** Number of step lines. */
  length: number;
  /** Byte offset of step t's line at [t]; [length] is where the footer line starts. */
  stepStarts: Float64Array;
  /** rewardPrefix[t] = sum of the rewards of steps 0 .. t - 1. */
  rewardPrefix: Float64Array;
  /** Action of each step when every action is a non-negative integer, else null. */
  actions: Int32Array | null;
  /** Per-action counts and reward sums before step `i * 1024`, when actions are integers. */
  checkpoints: { counts: number[]; sums: number[] }[];
}

/** Growable Float64Array. */
class Float64List {
  data = new Float64Array(1024);
  length = 0;
  push(v: number): void {
    if (this.length === this.data.length) {
      const next = new Float64Array(this.data.length * 2);
      next.set(this.data);
      this.data = next;
    }
    this.data[this.length++] = v;
  }
  toArray(): Float64Array {
    return this.data.slice(0, this.length);
  }
}

/** State of one indexing pass. */
class Indexer {
  header: EpisodeHeader | null = null;
  footer: EpisodeFooter | null = null;
  lineNo = 0;
  starts = new Float64List();
  prefix = new Float64List();
  actions: number[] | null = [];
  counts: number[] = [];
  sums: number[] = [];
  checkpoints: { counts: number[]; sums: number[] }[] = [];

  constructor(private readonly shown: string) {
    this.prefix.push(0);
  }

  fail(problem: string, fix = 'The recording is damaged; record the episode again.'): never {
    throw new CorruptFileError(`${this.shown}: ${problem} ${fix}`);
  }

  line(text: string, offset: number): void {
    this.lineNo++;
    if (text.trim() === '') return;
    let record: Record<string, unknown>;
    try {
      record = JSON.parse(text);
    } catch {
      this.fail(
        `line ${this.lineNo} is not valid JSON (starts ${JSON.stringify(text.slice(0, 40))}).`,
      );
    }
    if (typeof record !== 'object' || record === null)
      this.fail(`line ${this.lineNo} is not a JSON object.`);
    if (this.footer) this.fail(`line ${this.lineNo} comes after the 'end' line.`);
    if (!this.header) return this.onHeader(record);
    if (record.kind === 'step') return this.onStep(record, offset);
    if (record.kind === 'end') return this.onFooter(record, offset);
    this.fail(
      `line ${this.lineNo} has kind ${JSON.stringify(record.kind)}; expected 'step' or 'end'.`,
    );
  }

  private onHeader(record: Record<string, unknown>): void {
    if (record.kind !== 'header' || record.format !== EPISODE_FORMAT) {
      this.fail(
        `line ${this.lineNo} must be a header of format '${EPISODE_FORMAT}'; received kind ` +
          `${JSON.stringify(record.kind)}, format ${JSON.stringify(record.format)}.`,
        'Is this a tsgym episode recording?',
      );
    }
    this.header = record as unknown as EpisodeHeader;
  }

  private onStep(record: Record<string, unknown>, offset: number): void {
    const t = this.starts.length;
    if (record.t !== t)
      this.fail(`line ${this.lineNo} has t=${JSON.stringify(record.t)}, expected ${t}.`);
    const reward = typeof record.reward === 'number' ? record.reward : NaN;
    if (!Number.isFinite(reward))
      this.fail(
        `line ${this.lineNo} has reward ${JSON.stringify(record.reward)}, expected a finite number.`,
      );
    if (t % CHECKPOINT_EVERY === 0 && this.actions) {
      this.checkpoints.push({ counts: [...this.counts], sums: [...this.sums] });
    }
    this.starts.push(offset);
    this.prefix.push(this.prefix.data[t] + reward);
    this.tally(record.action, reward);
  }

  private tally(action: unknown, reward: number): void {
    if (!this.actions) return;
    if (!Number.isInteger(action) || (action as number) < 0 || (action as number) > 4096) {
      this.actions = null;
      this.checkpoints = [];
      return;
    }
    const a = action as number;
    while (this.counts.length <= a) {
      this.counts.push(0);
      this.sums.push(0);
    }
    this.counts[a]++;
    this.sums[a] += reward;
    this.actions.push(a);
  }

  private onFooter(record: Record<string, unknown>, offset: number): void {
    if (record.length !== this.starts.length) {
      this.fail(
        `the 'end' line says length ${JSON.stringify(record.length)} but the file has ${this.starts.length} steps.`,
      );
    }
    this.starts.push(offset);
    this.footer = record as unknown as EpisodeFooter;
  }

  finish(size: number, mtimeMs: number): EpisodeIndex {
    if (!this.header) this.fail('the recording is empty.');
    if (!this.footer) {
      this.fail(
        `the recording is truncated (no 'end' line after ${this.lineNo} lines).`,
        'It was cut short while being written; record the episode again.',
      );
    }
    const length = this.starts.length - 1;
    return {
      shown: this.shown,
      size,
      mtimeMs,
      header: this.header,
      footer: this.footer,
      length,
      stepStarts: this.starts.toArray(),
      rewardPrefix: this.prefix.toArray(),
      actions: this.actions ? Int32Array.from(this.actions) : null,
      checkpoints: this.checkpoints,
    };
  }
}

/**
 * Reads an episode file once, line by line in 1 MB chunks (never the whole file at once),
 * validating it as `streamEpisode` does and recording where each step line starts.
 *
 * @throws CorruptFileError naming the file and line when it is not a complete recording.
 */
export async function indexEpisode(file: string, shown: string): Promise<EpisodeIndex> {
  const stat = await fs.promises.stat(file);
  const indexer = new Indexer(shown);
  const handle = await fs.promises.open(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let carryStart = 0;
    let position = 0;
    const chunk = Buffer.alloc(CHUNK_BYTES);
    while (position < stat.size) {
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      const data = carry.length
        ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
      position += bytesRead;
      let lineStart = 0;
      for (let nl = data.indexOf(0x0a); nl >= 0; nl = data.indexOf(0x0a, lineStart)) {
        indexer.line(data.toString('utf8', lineStart, nl), carryStart + lineStart);
        lineStart = nl + 1;
      }
      carry = Buffer.from(data.subarray(lineStart));
      carryStart += lineStart;
    }
    if (carry.length > 0) indexer.line(carry.toString('utf8'), carryStart);
  } finally {
    await handle.close();
  }
  return indexer.finish(stat.size, stat.mtimeMs);
}

/** Per-action counts and reward sums of steps before `from`, or null for non-integer actions. */
export function actionStatsBefore(
  index: EpisodeIndex,
  from: number,
): { counts: number[]; sums: number[] } | null {
  if (!index.actions) return null;
  const c = Math.min(Math.floor(from / CHECKPOINT_EVERY), index.checkpoints.length - 1);
  const base = c >= 0 ? index.checkpoints[c] : { counts: [], sums: [] };
  const counts = [...base.counts];
  const sums = [...base.sums];
  const rewardOf = (t: number) => index.rewardPrefix[t + 1] - index.rewardPrefix[t];
  for (let t = Math.max(0, c) * CHECKPOINT_EVERY; t < from; t++) {
    const a = index.actions[t];
    while (counts.length <= a) {
      counts.push(0);
      sums.push(0);
    }
    counts[a]++;
    sums[a] += rewardOf(t);
  }
  return { counts, sums };
}

/**
 * The step lines `[from, from + count)` as the bytes of one JSON array, read with a single
 * positioned read. Lines were validated when indexed, so they are not parsed again: each
 * line's newline becomes the comma between elements (a CR before it is JSON whitespace).
 */
export async function readStepsJson(
  file: string,
  index: EpisodeIndex,
  from: number,
  count: number,
): Promise<Buffer> {
  if (count <= 0) return Buffer.from('[]');
  const start = index.stepStarts[from];
  const end = index.stepStarts[from + count];
  const buffer = Buffer.alloc(end - start + 1);
  const handle = await fs.promises.open(file, 'r');
  try {
    await handle.read(buffer, 1, end - start, start);
  } finally {
    await handle.close();
  }
  const newlines: number[] = [];
  for (let i = buffer.indexOf(0x0a, 1); i !== -1; i = buffer.indexOf(0x0a, i + 1)) newlines.push(i);
  // Blank lines between steps (allowed by the format) would leave empty elements: rare, so
  // they take the slower path.
  if (newlines.length !== count || newlines[count - 1] !== buffer.length - 1) {
    const lines = buffer
      .toString('utf8', 1)
      .split('\n')
      .filter((l) => l.trim() !== '');
    return Buffer.from(`[${lines.join(',')}]`);
  }
  buffer[0] = 0x5b;
  for (const i of newlines) buffer[i] = 0x2c;
  buffer[buffer.length - 1] = 0x5d;
  return buffer;
}

/**
 * Remembers the indexes of recently read episode files (least recently used dropped), re-reads
 * a file whose size or modification time changed, and shares one pass between concurrent
 * requests. Failures are remembered too, so a damaged 100 MB file is not re-read per request.
 */
export class EpisodeIndexCache {
  private readonly entries = new Map<string, { key: string; promise: Promise<EpisodeIndex> }>();

  /** @param maxEntries - episode indexes kept (each about 20 bytes per step). */
  constructor(private readonly maxEntries = 24) {}

  /** The index of `file`, building it on first use. */
  async get(file: string, shown: string): Promise<EpisodeIndex> {
    const stat = await fs.promises.stat(file);
    const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
    const hit = this.entries.get(file);
    this.entries.delete(file);
    const entry = hit && hit.key === key ? hit : { key, promise: indexEpisode(file, shown) };
    entry.promise.catch(() => undefined);
    this.entries.set(file, entry);
    if (this.entries.size > this.maxEntries) this.entries.delete(this.entries.keys().next().value!);
    return entry.promise;
  }
}
