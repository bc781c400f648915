import type { Application } from 'pixi.js';
import { api, type EpisodeEntry, type EpisodeInfo } from '../api';
import { ScenePainter } from '../render/painter';
import { createPixiApp } from '../render/pixi';
import { buildReplayScene, rendererFamily } from '../scene/families';
import { TRAIL_LENGTH } from '../scene/gridworld';
import { PALETTE } from '../scene/palette';
import type { ReplayInput } from '../scene/replay';
import { pagingFor, StepCache } from '../scene/stepCache';
import { Playback, SPEEDS } from '../scene/timeline';
import type { Scene } from '../scene/types';
import { byId, canvasWidth, messageOf, setOptions } from './dom';

const REPLAY_HEIGHT = 460;

/** The episode being replayed. */
interface LoadedEpisode {
  run: string;
  info: EpisodeInfo;
  cache: StepCache;
  playback: Playback;
}

/** Counters of the replay loop, read by the browser tests and the benchmark. */
export interface ReplayCounters {
  /** Scenes drawn. */
  frames: number;
  /** Animation frames seen while playing. */
  ticks: number;
  /** Animation frames spent waiting for steps to load while playing. */
  bufferingTicks: number;
  /** Milliseconds spent building scenes (DOM-free logic). */
  buildMs: number;
  /** Milliseconds spent turning scenes into PixiJS objects. */
  paintMs: number;
  /** Milliseconds spent in PixiJS's render call. */
  renderMs: number;
}

/** Episode picker, replay canvas and its controls. */
export class ReplayPanel {
  private episode: LoadedEpisode | null = null;
  private entries: EpisodeEntry[] = [];
  private readonly painter = new ScenePainter();
  private dirty = false;
  private lastNow: number | null = null;
  private lastScene: Scene | null = null;
  private loadToken = 0;
  /** Episode file being opened, so a list refresh does not reselect the previous one. */
  private pendingFile: string | null = null;
  /** Loads in flight (run lists and episode headers). */
  private busy = 0;
  /** The run whose episodes are listed. */
  run: string | null = null;
  /** Loop counters. */
  readonly counters: ReplayCounters = {
    frames: 0,
    ticks: 0,
    bufferingTicks: 0,
    buildMs: 0,
    paintMs: 0,
    renderMs: 0,
  };
  private readonly picker = byId<HTMLSelectElement>('episode-select');
  private readonly errorBox = byId('episode-error');
  private readonly scrub = byId<HTMLInputElement>('scrub');
  private readonly counter = byId('step-counter');
  private readonly status = byId('replay-status');
  private readonly playButton = byId<HTMLButtonElement>('btn-play');
  private readonly speed = byId<HTMLSelectElement>('speed-select');

  private constructor(
    /** The PixiJS application drawing the replay. */
    readonly app: Application,
  ) {
    app.stage.addChild(this.painter.root);
    setOptions(
      this.speed,
      SPEEDS.map((s) => ({ value: String(s), label: `${s} steps/s` })),
      '10',
    );
    this.wireControls();
    requestAnimationFrame(this.loop);
  }

  /** Creates the panel and its canvas. */
  static async create(): Promise<ReplayPanel> {
    const host = byId('replay-canvas');
    const app = await createPixiApp(
      host,
      { width: canvasWidth(host), height: REPLAY_HEIGHT },
      PALETTE.background,
    );
    return new ReplayPanel(app);
  }

  private wireControls(): void {
    this.playButton.addEventListener('click', () => this.togglePlay());
    byId('btn-back').addEventListener('click', () => this.act((p) => p.stepBack()));
    byId('btn-forward').addEventListener('click', () => this.act((p) => p.stepForward()));
    this.scrub.addEventListener('input', () => this.act((p) => p.seek(Number(this.scrub.value))));
    this.speed.addEventListener('change', () =>
      this.episode?.playback.setSpeed(Number(this.speed.value)),
    );
    this.picker.addEventListener('change', () => void this.loadEpisode(this.picker.value));
    document.addEventListener('keydown', (event) => {
      const target = event.target as HTMLElement;
      if (target.tagName === 'SELECT' || target.tagName === 'INPUT' || target.tagName === 'BUTTON')
        return;
      if (event.key === ' ') this.togglePlay();
      else if (event.key === 'ArrowRight') this.act((p) => p.stepForward());
      else if (event.key === 'ArrowLeft') this.act((p) => p.stepBack());
      else return;
      event.preventDefault();
    });
  }

  private act(change: (playback: Playback) => void): void {
    if (!this.episode) return;
    change(this.episode.playback);
    this.dirty = true;
  }

  /** Plays or pauses. */
  togglePlay(): void {
    const playback = this.episode?.playback;
    if (!playback) return;
    if (playback.playing) playback.pause();
    else playback.play();
    this.dirty = true;
  }

  /** Lists the episodes of a run and opens the first one (or keeps the open one). */
  async showRun(run: string, file?: string): Promise<void> {
    this.busy++;
    try {
      const same = run === this.run;
      this.run = run;
      await this.refreshEpisodes();
      // Choosing the run already shown keeps the episode (and its position) as it is.
      if (same && !file && (this.episode?.run === run || this.pendingFile)) return;
      const target = file ?? this.entries[0]?.file;
      if (target) await this.loadEpisode(target);
      else this.showMessage(`run ${run} has no recorded episodes`);
    } finally {
      this.busy--;
    }
  }

  /** Re-reads the episode list of the current run (new episodes appear while training). */
  async refreshEpisodes(): Promise<void> {
    if (!this.run) return;
    const run = this.run;
    try {
      const entries = await api.episodes(run);
      if (run !== this.run) return;
      this.entries = entries;
      const options = entries.map((e) => ({
        value: e.file,
        label: `${e.file} (${e.kind}, ${Math.ceil(e.size / 1024)} KB)`,
      }));
      const selected = this.pendingFile ?? this.episode?.info.file ?? this.picker.value;
      setOptions(this.picker, options, selected);
    } catch (error) {
      this.errorBox.textContent = messageOf(error);
    }
  }

  /** Opens an episode of the current run; a damaged file shows its error here only. */
  async loadEpisode(file: string): Promise<void> {
    const run = this.run;
    if (!run) return;
    const token = ++this.loadToken;
    this.picker.value = file;
    this.pendingFile = file;
    this.errorBox.textContent = '';
    this.busy++;
    try {
      const info = await api.episode(run, file);
      if (token !== this.loadToken) return;
      this.open(run, info);
    } catch (error) {
      if (token !== this.loadToken) return;
      this.episode = null;
      this.errorBox.textContent = messageOf(error);
      this.showMessage(`cannot replay ${file}`);
    } finally {
      this.busy--;
      if (token === this.loadToken) this.pendingFile = null;
    }
  }

  private open(run: string, info: EpisodeInfo): void {
    const { pageSize, maxPages } = pagingFor(info.averageLineBytes);
    const fetchPage = (from: number, count: number) => api.steps(run, info.file, from, count);
    const cache = new StepCache({ length: info.length, pageSize, maxPages, fetchPage });
    const playback = new Playback({
      length: info.length,
      stepsPerSecond: Number(this.speed.value),
    });
    this.episode = { run, info, cache, playback };
    this.scrub.max = String(info.length);
    this.dirty = true;
  }

  private showMessage(text: string): void {
    const { width, height } = this.app.screen;
    const shapes = [
      { kind: 'text' as const, x: 16, y: 16, text, size: 14, color: PALETTE.mutedText },
    ];
    this.lastScene = { width, height, background: PALETTE.background, shapes, probes: [] };
    this.painter.paint(this.lastScene);
    this.app.render();
    this.counter.textContent = '0 / 0';
    this.scrub.max = '0';
  }

  private loop = (now: number): void => {
    requestAnimationFrame(this.loop);
    const dt = this.lastNow === null ? 0 : now - this.lastNow;
    this.lastNow = now;
    const episode = this.episode;
    if (!episode) return;
    const { cache, playback } = episode;
    if (playback.playing) {
      this.counters.ticks++;
      if (playback.tick(dt, cache.loadedUpTo(playback.position))) this.dirty = true;
      if (playback.buffering) this.counters.bufferingTicks++;
      // Prefetch about a second of steps ahead of the clock.
      cache.ensure(playback.position, playback.stepsPerSecond).catch(() => undefined);
    }
    if (this.dirty) this.draw(episode);
  };

  private draw(episode: LoadedEpisode): void {
    const { cache, playback } = episode;
    const p = playback.position;
    this.dirty = false;
    if (p > 0 && !cache.has(p - 1)) {
      this.status.textContent = 'loading steps...';
      cache.ensure(p).then(
        () => (this.dirty = true),
        (error: unknown) => (this.errorBox.textContent = messageOf(error)),
      );
      return;
    }
    if (!playback.playing) {
      cache.ensure(p).then(
        () => undefined,
        () => undefined,
      );
      cache.prefetchBehind(p, TRAIL_LENGTH);
    }
    const t0 = performance.now();
    this.lastScene = buildReplayScene(this.input(episode));
    const t1 = performance.now();
    this.painter.paint(this.lastScene);
    const t2 = performance.now();
    this.app.render();
    const t3 = performance.now();
    this.counters.buildMs += t1 - t0;
    this.counters.paintMs += t2 - t1;
    this.counters.renderMs += t3 - t2;
    this.counters.frames++;
    this.updateControls(episode);
  }

  private input(episode: LoadedEpisode): ReplayInput {
    const { cache, playback, info } = episode;
    const position = playback.position;
    return {
      header: info.header,
      length: info.length,
      position,
      stepAt: (t) => cache.stepAt(t),
      runningReturn: cache.runningReturn(position) ?? 0,
      get actionStats() {
        return cache.actionStats(position);
      },
      viewport: { width: this.app.screen.width, height: this.app.screen.height },
    };
  }

  private updateControls(episode: LoadedEpisode): void {
    const { playback, cache } = episode;
    this.counter.textContent = `${playback.position} / ${playback.length}`;
    this.scrub.value = String(playback.position);
    this.playButton.textContent = playback.playing ? '\u275a\u275a' : '\u25b6';
    const stats = cache.stats();
    const buffering = playback.buffering ? 'buffering · ' : '';
    this.status.textContent = `${buffering}${rendererFamily(episode.info.header.family)} renderer · ${stats.steps} steps in memory`;
  }

  /** Resizes the canvas to its host. */
  resize(): void {
    this.app.renderer.resize(canvasWidth(byId('replay-canvas')), REPLAY_HEIGHT);
    this.dirty = true;
  }

  /** State for tests and the status line. */
  snapshot() {
    const e = this.episode;
    return {
      run: this.run,
      loading: this.busy > 0,
      episode: e?.info.file ?? null,
      family: e ? rendererFamily(e.info.header.family) : null,
      position: e?.playback.position ?? 0,
      length: e?.playback.length ?? 0,
      playing: e?.playback.playing ?? false,
      buffering: e?.playback.buffering ?? false,
      stepsPerSecond: e?.playback.stepsPerSecond ?? Number(this.speed.value),
      error: this.errorBox.textContent ?? '',
      cache: e?.cache.stats() ?? null,
      counters: { ...this.counters },
      scene: this.lastScene
        ? {
            width: this.lastScene.width,
            height: this.lastScene.height,
            probes: this.lastScene.probes,
          }
        : null,
    };
  }
}
