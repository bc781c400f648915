import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatNumber } from './geometry';
import { PALETTE } from './palette';
import { finiteOrNull, frameAt, isNumberArray, isRecord, type ReplayInput } from './replay';
import type { Probe, Scene, Shape } from './types';

/** The bandit render frame (see notes/RUNS.md). */
export interface BanditFrame {
  /** Always `'bandit'`. */
  family: string;
  /** Number of arms. */
  k: number;
  /** Expected reward of each arm. */
  trueMeans: number[];
  /** Arm pulled by the last step, or null after reset. */
  lastArm: number | null;
  /** Reward of the last pull, or null after reset. */
  lastReward: number | null;
  /** How many times each arm has been pulled so far. */
  pulls?: number[];
  /** Index of the arm with the highest true mean. */
  optimalArm?: number;
}

/** True when `frame` has every field the bandit renderer needs. */
export function isBanditFrame(frame: unknown): frame is BanditFrame {
  if (!isRecord(frame)) return false;
  const { k, trueMeans } = frame;
  return (
    Number.isInteger(k) && (k as number) > 0 && isNumberArray(trueMeans) && trueMeans.length === k
  );
}

/** Where the arm estimates shown come from. */
export type EstimateSource = 'agent' | 'frame' | 'sample mean' | 'none';

/**
 * The value estimate of each arm at the current position: the agent's own values when it
 * recorded them (they sit on the next step line, reported when it chose its next arm), else
 * `estimates` in the frame, else the sample mean of the rewards each arm has paid so far.
 */
export function armEstimates(
  input: ReplayInput,
  frame: BanditFrame,
): { values: (number | null)[]; source: EstimateSource } {
  const q = input.stepAt(input.position)?.qValues;
  if (isNumberArray(q) && q.length === frame.k) return { values: q, source: 'agent' };
  const own = (frame as unknown as Record<string, unknown>).estimates;
  if (isNumberArray(own) && own.length === frame.k) return { values: own, source: 'frame' };
  const stats = input.actionStats;
  if (!stats) return { values: frame.trueMeans.map(() => null), source: 'none' };
  const values = frame.trueMeans.map((_, a) =>
    stats.counts[a] > 0 ? stats.sums[a] / stats.counts[a] : null,
  );
  return { values, source: 'sample mean' };
}

/** Pull counts per arm: from the frame, else counted from the recorded actions. */
export function armPulls(input: ReplayInput, frame: BanditFrame): number[] {
  if (isNumberArray(frame.pulls) && frame.pulls.length === frame.k) return frame.pulls;
  return frame.trueMeans.map((_, a) => input.actionStats?.counts[a] ?? 0);
}

/**
 * Expected (pseudo-)regret so far: sum over arms of pulls(a) * (best mean - mean(a))
 * (Lattimore and Szepesvari, "Bandit Algorithms", 2020, eq. 4.1 / Lemma 4.5).
 */
export function expectedRegret(trueMeans: number[], pulls: number[]): number {
  const best = Math.max(...trueMeans);
  return trueMeans.reduce((sum, mean, a) => sum + (pulls[a] ?? 0) * (best - mean), 0);
}

function valueScale(values: number[], top: number, bottom: number): (v: number) => number {
  let lo = Math.min(0, ...values);
  let hi = Math.max(0, ...values);
  if (hi - lo < 1e-9) {
    lo -= 1;
    hi += 1;
  }
  return (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
}

interface ArmGeometry {
  x: number;
  colW: number;
  barW: number;
  y: (v: number) => number;
  labels: boolean;
}

function armShapes(
  a: number,
  g: ArmGeometry,
  info: { mean: number; estimate: number | null; pulls: number; optimal: boolean },
): Shape[] {
  const cx = g.x + g.colW / 2;
  const zero = g.y(0);
  const shapes: Shape[] = [];
  if (info.estimate !== null) {
    const top = Math.min(zero, g.y(info.estimate));
    const h = Math.max(1, Math.abs(g.y(info.estimate) - zero));
    shapes.push({ kind: 'rect', x: cx - g.barW / 2, y: top, w: g.barW, h, fill: PALETTE.estimate });
  }
  const meanY = g.y(info.mean);
  shapes.push({
    kind: 'polyline',
    points: [cx - g.barW / 2 - 4, meanY, cx + g.barW / 2 + 4, meanY],
    color: PALETTE.trueValue,
    width: 3,
  });
  if (g.labels) {
    const base = zero + 4;
    const name = `${info.optimal ? '*' : ''}arm ${a}`;
    shapes.push({
      kind: 'text',
      x: cx,
      y: base,
      text: name,
      size: 11,
      color: PALETTE.text,
      anchorX: 0.5,
    });
    shapes.push({
      kind: 'text',
      x: cx,
      y: base + 14,
      text: `n=${info.pulls}`,
      size: 11,
      color: PALETTE.mutedText,
      anchorX: 0.5,
    });
  }
  return shapes;
}

/**
 * Scene of a bandit frame: per arm, its estimated value (bar), true mean (blue tick) and pull
 * count; a marker over the arm just pulled; and the expected regret so far.
 */
export function buildBanditScene(input: ReplayInput): Scene {
  const frame = frameAt(input) as unknown as BanditFrame;
  const area = contentArea(input);
  const { values, source } = armEstimates(input, frame);
  const pulls = armPulls(input, frame);
  const known = [...frame.trueMeans, ...values.filter((v): v is number => v !== null)];
  const colW = area.width / frame.k;
  const labelBand = colW >= 28 ? 34 : 0;
  const geometry: ArmGeometry = {
    x: area.x,
    colW,
    barW: Math.max(2, Math.min(colW * 0.6, 60)),
    y: valueScale(known, area.y + 60, area.y + area.height - labelBand - 4),
    labels: labelBand > 0,
  };
  const optimal = frame.optimalArm ?? frame.trueMeans.indexOf(Math.max(...frame.trueMeans));
  const shapes: Shape[] = [...titleShapes(input, 'bandit')];
  const regret = expectedRegret(frame.trueMeans, pulls);
  const legend = `regret ${formatNumber(regret)} · bars: estimate (${source}) · blue: true mean`;
  shapes.push({
    kind: 'text',
    x: area.x,
    y: area.y + 2,
    text: legend,
    size: 12,
    color: PALETTE.mutedText,
  });
  for (let a = 0; a < frame.k; a++) {
    const info = {
      mean: frame.trueMeans[a],
      estimate: values[a],
      pulls: pulls[a],
      optimal: a === optimal,
    };
    shapes.push(...armShapes(a, { ...geometry, x: area.x + a * colW }, info));
  }

  const probes: Probe[] = [];
  const arm = finiteOrNull(frame.lastArm);
  if (arm !== null && arm >= 0 && arm < frame.k) {
    const marker = {
      label: 'pulled arm',
      x: area.x + (arm + 0.5) * colW,
      y: area.y + 34,
      color: PALETTE.highlight,
    };
    shapes.push({
      kind: 'circle',
      x: marker.x,
      y: marker.y,
      r: Math.max(3, Math.min(9, colW * 0.3)),
      fill: PALETTE.highlight,
    });
    probes.push(marker);
  }
  const status = statusShapes(
    input,
    describeStep(input, (a) => `arm ${String(a)}`),
  );
  shapes.push(...status.shapes);
  probes.push(status.marker);

  return { ...input.viewport, background: PALETTE.background, shapes, probes };
}
