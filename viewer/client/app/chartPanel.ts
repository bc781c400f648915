import type { Application } from 'pixi.js';
import { api, type MetricsResponse } from '../api';
import { ScenePainter } from '../render/painter';
import { createPixiApp } from '../render/pixi';
import { buildChartScene, CURVE_KEYS, extractSeries, type ChartScene } from '../scene/chart';
import { PALETTE } from '../scene/palette';
import { byId, canvasWidth, messageOf, setOptions } from './dom';

const CHART_HEIGHT = 300;

/** Learning curves of the overlaid runs, drawn with PixiJS. */
export class ChartPanel {
  private runs: string[] = [];
  private readonly metrics = new Map<string, MetricsResponse>();
  private readonly errors = new Map<string, string>();
  private readonly painter = new ScenePainter();
  private lastScene: ChartScene | null = null;
  private readonly metricSelect = byId<HTMLSelectElement>('metric-select');
  private readonly xSelect = byId<HTMLSelectElement>('x-select');
  private readonly smoothing = byId<HTMLInputElement>('smoothing');
  private readonly note = byId('chart-note');

  private constructor(
    /** The PixiJS application drawing the chart. */
    readonly app: Application,
    private readonly colorOf: (run: string) => number,
  ) {
    app.stage.addChild(this.painter.root);
    this.metricSelect.addEventListener('change', () => this.redraw());
    this.xSelect.addEventListener('change', () => this.redraw());
    this.smoothing.addEventListener('input', () => {
      byId('smoothing-value').textContent = this.smoothing.value;
      this.redraw();
    });
  }

  /** Creates the panel and its canvas. */
  static async create(colorOf: (run: string) => number): Promise<ChartPanel> {
    const host = byId('chart-canvas');
    const app = await createPixiApp(
      host,
      { width: canvasWidth(host), height: CHART_HEIGHT },
      PALETTE.background,
    );
    return new ChartPanel(app, colorOf);
  }

  /** Shows the curves of these runs (fetching metrics not yet loaded). */
  async setRuns(runs: string[]): Promise<void> {
    this.runs = runs;
    await Promise.all(runs.filter((r) => !this.metrics.has(r)).map((r) => this.fetch(r)));
    this.redraw();
  }

  /** Re-reads the metrics of the overlaid runs (live runs grow). */
  async refresh(): Promise<void> {
    await Promise.all(this.runs.map((r) => this.fetch(r)));
    this.redraw();
  }

  /** What the last draw contained, for tests. */
  info(): ChartScene | null {
    return this.lastScene;
  }

  /** Resizes the canvas to its host. */
  resize(): void {
    this.app.renderer.resize(canvasWidth(byId('chart-canvas')), CHART_HEIGHT);
    this.redraw();
  }

  private async fetch(run: string): Promise<void> {
    try {
      this.metrics.set(run, await api.metrics(run));
      this.errors.delete(run);
    } catch (error) {
      this.errors.set(run, messageOf(error));
    }
  }

  private updateMetricOptions(): string {
    const keys = new Set<string>();
    for (const run of this.runs) for (const key of this.metrics.get(run)?.keys ?? []) keys.add(key);
    const ordered = [
      ...CURVE_KEYS.filter((k) => keys.has(k)),
      ...[...keys].filter((k) => !CURVE_KEYS.includes(k)).sort(),
    ];
    const current = this.metricSelect.value || ordered[0];
    setOptions(
      this.metricSelect,
      ordered.map((k) => ({ value: k, label: k })),
      current,
    );
    return this.metricSelect.value;
  }

  /** Rebuilds the chart scene and renders it. */
  redraw(): void {
    const key = this.updateMetricOptions();
    const xKey = this.xSelect.value;
    const series = this.runs
      .filter((run) => this.metrics.has(run))
      .map((run) => ({
        name: run,
        color: this.colorOf(run),
        ...extractSeries(this.metrics.get(run)!, key, xKey),
      }));
    const title = this.runs.length === 0 ? 'no run selected' : key || 'no metrics yet';
    const viewport = { width: this.app.screen.width, height: this.app.screen.height };
    const scene = buildChartScene(series, {
      viewport,
      title,
      xLabel: xKey,
      smoothing: Number(this.smoothing.value),
    });
    this.painter.paint(scene);
    this.app.render();
    this.lastScene = scene;
    this.note.textContent = this.noteText();
  }

  private noteText(): string {
    const notes: string[] = [];
    for (const run of this.runs) {
      const m = this.metrics.get(run);
      if (this.errors.has(run)) notes.push(`${run}: ${this.errors.get(run)}`);
      if (m?.downsampledFrom)
        notes.push(`${run}: ${m.downsampledFrom} rows averaged into ${m.count} points`);
      if (m?.skippedLines) notes.push(`${run}: ${m.skippedLines} unreadable metrics lines skipped`);
      if (m?.partialLastLine) notes.push(`${run}: last line still being written`);
    }
    return notes.join(' · ');
  }
}
