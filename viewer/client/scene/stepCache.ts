import type { EpisodeStep } from '../../../src/recording';
import type { ActionStats } from './replay';

/** One page of step lines as served by `GET .../steps?from=&count=`. */
export interface StepPage {
  /** Index `t` of the first step in the page. */
  from: number;
  /** The step lines. */
  steps: EpisodeStep[];
  /** Sum of the rewards of every step before `from`. */
  returnBefore: number;
  /**
   * Per-action counts and reward sums of every step before `from`; null for non-integer actions.
   */
  actionStats: ActionStats | null;
}

/** Loads `count` steps from step `from`. */
export type PageFetcher = (from: number, count: number) => Promise<StepPage>;

/** Options of {@link StepCache}. */
export interface StepCacheOptions {
  /** Number of steps in the episode. */
  length: number;
  /** Steps per page (at least 1). */
  pageSize: number;
  /** Most pages kept in memory (at least 3); the least recently used go first. */
  maxPages: number;
  /** How pages are loaded (HTTP in the browser, a stub in tests). */
  fetchPage: PageFetcher;
}

interface LoadedPage extends StepPage {
  /** prefix[i] = sum of rewards of steps from .. from + i - 1 (prefix[0] = 0). */
  prefix: Float64Array;
}

/** Counters for tests, the benchmark and the status line. */
export interface StepCacheStats {
  /** Pages in memory. */
  pages: number;
  /** Steps in memory. */
  steps: number;
  /** Pages fetched so far. */
  requests: number;
  /** Pages dropped to stay under `maxPages`. */
  evictions: number;
}

/**
 * Keeps a bounded window of an episode's steps in memory, loaded page by page, so a
 * 100,000-step episode replays with memory proportional to `maxPages * pageSize` rather than
 * to its length. DOM-free: the fetcher is injected.
 */
export class StepCache {
  private readonly pages = new Map<number, LoadedPage>();
  private readonly inflight = new Map<number, Promise<void>>();
  private readonly pinned = new Set<number>();
  private requests = 0;
  private evictions = 0;
  /** The last load error, if any (cleared by a successful load). */
  lastError: Error | null = null;

  /** @param options - see {@link StepCacheOptions}. */
  constructor(private readonly options: StepCacheOptions) {
    if (!(options.pageSize >= 1) || !(options.maxPages >= 3)) {
      throw new RangeError('StepCache needs pageSize >= 1 and maxPages >= 3');
    }
  }

  /** Number of steps in the episode. */
  get length(): number {
    return this.options.length;
  }

  /** The step line with index `t`, if loaded. */
  stepAt(t: number): EpisodeStep | undefined {
    const page = this.pages.get(this.pageOf(t));
    return page?.steps[t - page.from];
  }

  /** Sum of the rewards of steps `0 .. position - 1`, or undefined when not loaded. */
  runningReturn(position: number): number | undefined {
    if (position <= 0) return 0;
    const page = this.pages.get(this.pageOf(position - 1));
    if (!page) return undefined;
    return page.returnBefore + page.prefix[position - page.from];
  }

  /** Per-action counts and reward sums of steps `0 .. position - 1`, when known. */
  actionStats(position: number): ActionStats | null {
    const page = position > 0 ? this.pages.get(this.pageOf(position - 1)) : this.pages.get(0);
    if (!page?.actionStats) return null;
    const counts = [...page.actionStats.counts];
    const sums = [...page.actionStats.sums];
    for (let t = page.from; t < position && t - page.from < page.steps.length; t++) {
      const step = page.steps[t - page.from];
      if (!Number.isInteger(step.action) || (step.action as number) < 0) return null;
      const a = step.action as number;
      while (counts.length <= a) {
        counts.push(0);
        sums.push(0);
      }
      counts[a] += 1;
      sums[a] += step.reward;
    }
    return { counts, sums };
  }

  /**
   * The furthest position reachable from `position` with every step in between loaded
   * (showing position q needs step q - 1).
   */
  loadedUpTo(position: number): number {
    let q = position;
    while (q < this.length) {
      const page = this.pages.get(this.pageOf(q));
      if (!page) break;
      q = page.from + page.steps.length;
    }
    return q;
  }

  /**
   * Loads what position `position` needs (the step leading to it and the next one, whose
   * values the scene shows), and prefetches the pages covering the next `lookAheadSteps`
   * steps; all of them are pinned against eviction. A fast replay passes about one second of
   * steps, so pages arrive before the clock reaches them.
   *
   * @param position - the position to show.
   * @param lookAheadSteps - steps to prefetch past it; at least one page, at most
   *   `maxPages - 3` pages so the window never evicts what it just loaded.
   * @returns when the needed pages are in memory; rejects with the load error.
   */
  async ensure(position: number, lookAheadSteps = this.options.pageSize): Promise<void> {
    const needed = [position - 1, position].filter((t) => t >= 0 && t < this.length);
    const pages = [...new Set(needed.map((t) => this.pageOf(t)))];
    const { pageSize, maxPages } = this.options;
    const aheadPages = Math.max(1, Math.min(maxPages - 3, Math.ceil(lookAheadSteps / pageSize)));
    const last = this.pageOf(Math.min(position + aheadPages * pageSize, this.length - 1));
    this.pinned.clear();
    for (const p of pages) this.pinned.add(p);
    for (let p = this.pageOf(Math.max(0, position)) + 1; p <= last; p++) this.pinned.add(p);
    // Ask for what is shown first, then the pages after it in order.
    const loads = pages.map((p) => this.load(p));
    for (const p of this.pinned) if (!pages.includes(p)) this.load(p).catch(() => undefined);
    await Promise.all(loads);
  }

  /** Loads the page holding the steps just before `position` (for trails); never throws. */
  prefetchBehind(position: number, steps: number): void {
    const t = Math.max(0, position - steps);
    if (t < this.length && t < position) this.load(this.pageOf(t)).catch(() => undefined);
  }

  /** True when the step with index `t` is loaded. */
  has(t: number): boolean {
    return this.stepAt(t) !== undefined;
  }

  /** Counters (pages, steps in memory, requests, evictions). */
  stats(): StepCacheStats {
    let steps = 0;
    for (const page of this.pages.values()) steps += page.steps.length;
    return { pages: this.pages.size, steps, requests: this.requests, evictions: this.evictions };
  }

  private pageOf(t: number): number {
    return Math.floor(t / this.options.pageSize);
  }

  private load(pageIndex: number): Promise<void> {
    const loaded = this.pages.get(pageIndex);
    if (loaded) {
      this.pages.delete(pageIndex);
      this.pages.set(pageIndex, loaded);
      return Promise.resolve();
    }
    const pending = this.inflight.get(pageIndex);
    if (pending) return pending;
    const from = pageIndex * this.options.pageSize;
    const count = Math.min(this.options.pageSize, this.length - from);
    this.requests++;
    const promise = this.options
      .fetchPage(from, count)
      .then((page) => this.insert(pageIndex, page))
      .catch((error: unknown) => {
        this.lastError = error instanceof Error ? error : new Error(String(error));
        throw this.lastError;
      })
      .finally(() => this.inflight.delete(pageIndex));
    this.inflight.set(pageIndex, promise);
    return promise;
  }

  private insert(pageIndex: number, page: StepPage): void {
    const prefix = new Float64Array(page.steps.length + 1);
    for (let i = 0; i < page.steps.length; i++) prefix[i + 1] = prefix[i] + page.steps[i].reward;
    this.pages.set(pageIndex, { ...page, prefix });
    this.lastError = null;
    this.evict();
  }

  private evict(): void {
    for (const key of this.pages.keys()) {
      if (this.pages.size <= this.options.maxPages) return;
      if (this.pinned.has(key)) continue;
      this.pages.delete(key);
      this.evictions++;
    }
  }
}

/**
 * Page size and page budget for an episode whose lines average `averageLineBytes`: pages of
 * about 256 KB of JSON, and at most about 8 MB of JSON in memory.
 */
export function pagingFor(averageLineBytes: number): { pageSize: number; maxPages: number } {
  const bytes = Math.max(16, averageLineBytes);
  const pageSize = Math.max(16, Math.min(2000, Math.floor((256 * 1024) / bytes)));
  const maxPages = Math.max(4, Math.min(64, Math.floor((8 * 1024 * 1024) / (pageSize * bytes))));
  return { pageSize, maxPages };
}
