import * as fs from 'node:fs';

/** Parsed metrics of a run, in columns (what `GET /api/runs/:run/metrics` answers). */
export interface MetricsTable {
  /** Rows returned (after downsampling). */
  count: number;
  /** Metric keys seen, besides `step`, `episode` and `time`, in first-seen order. */
  keys: string[];
  /** One column per key (including `step`, `episode`, `time`), null where a row lacks it. */
  columns: Record<string, (number | null)[]>;
  /** Complete lines that were not a JSON object (reported, not fatal). */
  skippedLines: number;
  /** True when the file ends in a line cut short (the run is writing it). */
  partialLastLine: boolean;
  /** Rows in the file when they were averaged down to `count` buckets, else absent. */
  downsampledFrom?: number;
}

const AXES = ['step', 'episode', 'time'];

/** Rows parsed so far from one metrics file; grows as the file is appended to. */
interface ParsedMetrics {
  size: number;
  mtimeMs: number;
  ino: number;
  /** Bytes consumed: up to the end of the last complete line. */
  consumed: number;
  keys: string[];
  columns: Map<string, (number | null)[]>;
  rows: number;
  skippedLines: number;
  partialLastLine: boolean;
}

function addRow(parsed: ParsedMetrics, row: Record<string, unknown>): void {
  for (const [key, value] of Object.entries(row)) {
    if (typeof value !== 'number' || !Number.isFinite(value)) continue;
    let column = parsed.columns.get(key);
    if (!column) {
      column = new Array(parsed.rows).fill(null);
      parsed.columns.set(key, column);
      if (!AXES.includes(key)) parsed.keys.push(key);
    }
    column[parsed.rows] = value;
  }
  parsed.rows++;
  for (const column of parsed.columns.values()) if (column.length < parsed.rows) column.push(null);
}

function parseLine(parsed: ParsedMetrics, line: string): boolean {
  if (line.trim() === '') return true;
  try {
    const row = JSON.parse(line);
    if (typeof row !== 'object' || row === null || Array.isArray(row)) return false;
    addRow(parsed, row);
    return true;
  } catch {
    return false;
  }
}

const CHUNK_BYTES = 4 << 20;

/**
 * Parses the bytes appended since the last call, 4 MB at a time. Only complete lines are
 * consumed; a final line without its newline is parsed if it is complete JSON, else it is
 * being written and is left for the next call.
 */
async function parseAppended(file: string, parsed: ParsedMetrics, size: number): Promise<void> {
  const handle = await fs.promises.open(file, 'r');
  try {
    let carry = Buffer.alloc(0);
    let position = parsed.consumed;
    while (position < size) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, size - position));
      const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      const data = carry.length
        ? Buffer.concat([carry, chunk.subarray(0, bytesRead)])
        : chunk.subarray(0, bytesRead);
      const end = data.lastIndexOf(0x0a);
      if (end >= 0) {
        for (const line of data.toString('utf8', 0, end).split('\n')) {
          if (!parseLine(parsed, line)) parsed.skippedLines++;
        }
        parsed.consumed += end + 1;
      }
      carry = Buffer.from(data.subarray(end + 1));
    }
    const tail = carry.toString('utf8');
    parsed.partialLastLine = tail.trim() !== '' && !parseLine(parsed, tail);
    if (tail.trim() !== '' && !parsed.partialLastLine) parsed.consumed += carry.length;
  } finally {
    await handle.close();
  }
}

/** Averages rows in `buckets` equal groups, column by column, ignoring nulls. */
function downsample(columns: Map<string, (number | null)[]>, rows: number, buckets: number) {
  const out: Record<string, (number | null)[]> = {};
  for (const [key, column] of columns) {
    const reduced: (number | null)[] = [];
    for (let b = 0; b < buckets; b++) {
      const lo = Math.floor((b * rows) / buckets);
      const hi = Math.floor(((b + 1) * rows) / buckets);
      let sum = 0;
      let n = 0;
      for (let i = lo; i < hi; i++) {
        const v = column[i];
        if (v === null) continue;
        sum += v;
        n++;
      }
      reduced.push(n > 0 ? sum / n : null);
    }
    out[key] = reduced;
  }
  return out;
}

/**
 * Reads run metrics files, remembering what it parsed: a file that grew is parsed only from
 * where it stopped, so polling a live run stays cheap. A last line cut short is left for
 * the next call; complete lines that are not JSON objects are counted in `skippedLines`.
 */
export class MetricsReader {
  private readonly cache = new Map<string, ParsedMetrics>();
  // One parse at a time per file, so concurrent requests never parse the same bytes twice.
  private readonly locks = new Map<string, Promise<unknown>>();

  /** @param maxFiles - files remembered at once (least recently used dropped). */
  constructor(private readonly maxFiles = 32) {}

  /**
   * Metrics of one file, averaged down to at most `maxPoints` rows.
   *
   * @param file - resolved path of metrics.jsonl.
   * @param maxPoints - most rows returned (bucket means beyond that).
   */
  async read(file: string, maxPoints: number): Promise<MetricsTable> {
    const parsed = await this.parse(file);
    const buckets = Math.min(parsed.rows, Math.max(1, Math.floor(maxPoints)));
    const columns =
      buckets < parsed.rows
        ? downsample(parsed.columns, parsed.rows, buckets)
        : Object.fromEntries(parsed.columns);
    const table: MetricsTable = {
      count: buckets,
      keys: [...parsed.keys],
      columns,
      skippedLines: parsed.skippedLines,
      partialLastLine: parsed.partialLastLine,
    };
    if (buckets < parsed.rows) table.downsampledFrom = parsed.rows;
    return table;
  }

  private parse(file: string): Promise<ParsedMetrics> {
    const previous = this.locks.get(file) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(() => this.parseNow(file));
    this.locks.set(file, next);
    const release = () => {
      if (this.locks.get(file) === next) this.locks.delete(file);
    };
    next.then(release, release);
    return next;
  }

  private async parseNow(file: string): Promise<ParsedMetrics> {
    const stat = await fs.promises.stat(file);
    let parsed = this.cache.get(file);
    const replaced = parsed && (stat.ino !== parsed.ino || stat.size < parsed.consumed);
    if (!parsed || replaced) parsed = this.fresh(stat);
    this.cache.delete(file);
    this.cache.set(file, parsed);
    if (this.cache.size > this.maxFiles) this.cache.delete(this.cache.keys().next().value!);
    if (stat.size !== parsed.size || stat.mtimeMs !== parsed.mtimeMs) {
      if (stat.size > parsed.consumed) await parseAppended(file, parsed, stat.size);
      parsed.size = stat.size;
      parsed.mtimeMs = stat.mtimeMs;
    }
    return parsed;
  }

  private fresh(stat: fs.Stats): ParsedMetrics {
    return {
      size: -1,
      mtimeMs: -1,
      ino: stat.ino,
      consumed: 0,
      keys: [],
      columns: new Map(),
      rows: 0,
      skippedLines: 0,
      partialLastLine: false,
    };
  }
}

/** Metrics of a run without a metrics file yet. */
export function emptyMetrics(): MetricsTable {
  return { count: 0, keys: [], columns: {}, skippedLines: 0, partialLastLine: false };
}
