import { estimateTextWidth, formatNumber } from './geometry';
import { lighten, PALETTE } from './palette';
import type { Color, Probe, Scene, Shape, Viewport } from './types';

/** Metrics of one run as served by `GET /api/runs/:run/metrics`: one column per key. */
export interface MetricsColumns {
  /** Number of rows. */
  count: number;
  /** Metric keys present (besides `step`, `episode`, `time`). */
  keys: string[];
  /** Column per key, aligned by row; null where a row lacks the key. */
  columns: Record<string, (number | null)[]>;
}

/** One curve to draw. */
export interface ChartSeries {
  /** Legend label (the run name). */
  name: string;
  /** Line colour. */
  color: Color;
  /** x values. */
  x: number[];
  /** y values, same length as `x`. */
  y: number[];
}

/** The default metric keys offered first in the chart (notes/RUNS.md). */
export const CURVE_KEYS = [
  'train/episode_return',
  'train/episode_length',
  'train/epsilon',
  'train/loss',
  'eval/episode_return',
  'eval/episode_length',
];

/**
 * The (x, y) pairs of `key` against `xKey` ('step', 'episode' or 'time'); rows lacking either,
 * or holding a non-finite value, are skipped. Falls back to the row number when `xKey` is
 * absent from every row.
 */
export function extractSeries(
  metrics: MetricsColumns,
  key: string,
  xKey: string,
): { x: number[]; y: number[] } {
  const ys = metrics.columns[key] ?? [];
  const xsColumn = metrics.columns[xKey];
  const hasX = xsColumn?.some((v) => v !== null) ?? false;
  const x: number[] = [];
  const y: number[] = [];
  for (let i = 0; i < ys.length; i++) {
    const xv = hasX ? xsColumn[i] : i;
    const yv = ys[i];
    if (xv === null || yv === null || !Number.isFinite(xv) || !Number.isFinite(yv)) continue;
    x.push(xv);
    y.push(yv);
  }
  return { x, y };
}

/**
 * Exponential moving average with bias correction, as TensorBoard's scalar smoothing:
 * `s[t] = w * s[t-1] + (1 - w) * y[t]` from `s[-1] = 0`, divided by `1 - w^(t+1)` so early points
 * are not pulled toward zero (Kingma and Ba, "Adam", 2015, section 3, the same correction).
 *
 * @param values - the raw series.
 * @param weight - w in [0, 1); 0 returns a copy.
 */
export function smoothEma(values: number[], weight: number): number[] {
  const w = Math.min(Math.max(weight, 0), 0.999);
  const out = new Array<number>(values.length);
  let last = 0;
  let debias = 1;
  for (let i = 0; i < values.length; i++) {
    last = w * last + (1 - w) * values[i];
    debias *= w;
    out[i] = w === 0 ? values[i] : last / (1 - debias);
  }
  return out;
}

/**
 * About `count` round tick values covering [lo, hi], spaced 1, 2 or 5 times a power of ten
 * (Heckbert, "Nice numbers for graph labels", Graphics Gems, 1990).
 */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) return [];
  if (hi === lo) return [lo];
  const raw = (hi - lo) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(raw));
  const fraction = raw / power;
  const step = (fraction < 1.5 ? 1 : fraction < 3 ? 2 : fraction < 7 ? 5 : 10) * power;
  const ticks: number[] = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + step * 1e-9; v += step) {
    ticks.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return ticks;
}

/**
 * Reduces a series to at most two points (its min and max, in order) per pixel column, so a
 * curve of a million points draws as fast as one of a thousand yet keeps every spike.
 */
export function decimate(
  x: number[],
  y: number[],
  toPixel: (v: number) => number,
): { x: number[]; y: number[] } {
  if (x.length <= 4) return { x: [...x], y: [...y] };
  const outX: number[] = [];
  const outY: number[] = [];
  let column = Math.floor(toPixel(x[0]));
  let lo = 0;
  let hi = 0;
  const flush = (start: number) => {
    const [a, b] = lo < hi ? [lo, hi] : [hi, lo];
    outX.push(x[a]);
    outY.push(y[a]);
    if (b !== a) {
      outX.push(x[b]);
      outY.push(y[b]);
    }
    lo = hi = start;
  };
  for (let i = 1; i < x.length; i++) {
    const c = Math.floor(toPixel(x[i]));
    if (c !== column) {
      flush(i);
      column = c;
      continue;
    }
    if (y[i] < y[lo]) lo = i;
    if (y[i] > y[hi]) hi = i;
  }
  flush(x.length);
  return { x: outX, y: outY };
}

/** Options of {@link buildChartScene}. */
export interface ChartOptions {
  /** Canvas size. */
  viewport: Viewport;
  /** The metric key shown, as the title. */
  title: string;
  /** Name of the x axis. */
  xLabel: string;
  /** Smoothing weight in [0, 1) (see {@link smoothEma}). */
  smoothing: number;
}

/** A chart scene plus what was drawn, for tests. */
export interface ChartScene extends Scene {
  /** Plot area in pixels. */
  plot: { x: number; y: number; width: number; height: number };
  /** Series with at least one point. */
  drawnSeries: number;
  /** Points in the drawn polylines. */
  drawnPoints: number;
}

function extent(values: number[][]): [number, number] {
  let lo = Infinity;
  let hi = -Infinity;
  for (const list of values) {
    for (const v of list) {
      lo = Math.min(lo, v);
      hi = Math.max(hi, v);
    }
  }
  if (!Number.isFinite(lo)) return [0, 1];
  if (hi - lo < 1e-12) return [lo - 1, hi + 1];
  const pad = (hi - lo) * 0.05;
  return [lo - pad, hi + pad];
}

function axisShapes(
  plot: ChartScene['plot'],
  xr: [number, number],
  yr: [number, number],
  mapX: (v: number) => number,
  mapY: (v: number) => number,
): Shape[] {
  const shapes: Shape[] = [
    {
      kind: 'rect',
      x: plot.x,
      y: plot.y,
      w: plot.width,
      h: plot.height,
      fill: PALETTE.panel,
      stroke: PALETTE.grid,
    },
  ];
  for (const v of niceTicks(yr[0], yr[1], 5)) {
    const y = mapY(v);
    shapes.push({
      kind: 'polyline',
      points: [plot.x, y, plot.x + plot.width, y],
      color: PALETTE.grid,
      width: 1,
    });
    shapes.push({
      kind: 'text',
      x: plot.x - 6,
      y,
      text: formatNumber(v),
      size: 11,
      color: PALETTE.mutedText,
      anchorX: 1,
      anchorY: 0.5,
    });
  }
  for (const v of niceTicks(xr[0], xr[1], Math.max(2, Math.floor(plot.width / 90)))) {
    const x = mapX(v);
    shapes.push({
      kind: 'polyline',
      points: [x, plot.y + plot.height, x, plot.y + plot.height + 4],
      color: PALETTE.axis,
      width: 1,
    });
    shapes.push({
      kind: 'text',
      x,
      y: plot.y + plot.height + 6,
      text: formatNumber(v),
      size: 11,
      color: PALETTE.mutedText,
      anchorX: 0.5,
    });
  }
  return shapes;
}

function toPoints(
  x: number[],
  y: number[],
  mapX: (v: number) => number,
  mapY: (v: number) => number,
): number[] {
  const points: number[] = [];
  for (let i = 0; i < x.length; i++) points.push(mapX(x[i]), mapY(y[i]));
  return points;
}

/**
 * Learning-curve chart: one line per series (a faint raw line under the smoothed one when
 * smoothing is on), nice-number axes, and a legend. Probes sit on each legend swatch.
 */
export function buildChartScene(series: ChartSeries[], options: ChartOptions): ChartScene {
  const { width, height } = options.viewport;
  const plot = {
    x: 58,
    y: 30,
    width: Math.max(10, width - 58 - 16),
    height: Math.max(10, height - 30 - 44),
  };
  const live = series.filter((s) => s.x.length > 0);
  const smoothed = live.map((s) => smoothEma(s.y, options.smoothing));
  const xr = extent(live.map((s) => s.x));
  const yr = extent([...live.map((s) => s.y), ...smoothed]);
  const mapX = (v: number) => plot.x + ((v - xr[0]) / (xr[1] - xr[0])) * plot.width;
  const mapY = (v: number) => plot.y + plot.height - ((v - yr[0]) / (yr[1] - yr[0])) * plot.height;
  const shapes: Shape[] = [
    { kind: 'text', x: plot.x, y: 6, text: options.title, size: 14, color: PALETTE.text },
    ...axisShapes(plot, xr, yr, mapX, mapY),
  ];
  shapes.push({
    kind: 'text',
    x: plot.x + plot.width,
    y: height - 16,
    text: options.xLabel,
    size: 11,
    color: PALETTE.mutedText,
    anchorX: 1,
  });
  let drawnPoints = 0;
  live.forEach((s, i) => {
    if (options.smoothing > 0) {
      const raw = decimate(s.x, s.y, mapX);
      shapes.push({
        kind: 'polyline',
        points: toPoints(raw.x, raw.y, mapX, mapY),
        color: lighten(s.color, 0.65),
        width: 1,
      });
    }
    const line = decimate(s.x, smoothed[i], mapX);
    drawnPoints += line.x.length;
    shapes.push({
      kind: 'polyline',
      points: toPoints(line.x, line.y, mapX, mapY),
      color: s.color,
      width: 2,
    });
  });
  if (live.length === 0) {
    shapes.push({
      kind: 'text',
      x: plot.x + plot.width / 2,
      y: plot.y + plot.height / 2,
      text: `no data for ${options.title}`,
      size: 13,
      color: PALETTE.mutedText,
      anchorX: 0.5,
      anchorY: 0.5,
    });
  }
  const probes = legendShapes(live, plot, shapes);

  return {
    width,
    height,
    background: PALETTE.background,
    shapes,
    probes,
    plot,
    drawnSeries: live.length,
    drawnPoints,
  };
}

function legendShapes(live: ChartSeries[], plot: ChartScene['plot'], shapes: Shape[]): Probe[] {
  const probes: Probe[] = [];
  let x = plot.x + plot.width;
  for (const s of [...live].reverse()) {
    const label = s.name.length > 28 ? `${s.name.slice(0, 27)}...` : s.name;
    x -= estimateTextWidth(label, 11) + 22;
    shapes.push({ kind: 'rect', x, y: 9, w: 12, h: 10, fill: s.color });
    shapes.push({ kind: 'text', x: x + 16, y: 8, text: label, size: 11, color: PALETTE.text });
    probes.unshift({ label: `legend ${s.name}`, x: x + 6, y: 14, color: s.color });
  }
  return probes;
}
