import { formatNumber, formatSigned, shortJson } from './geometry';
import { PALETTE } from './palette';
import { stepLeadingHere, type ReplayInput } from './replay';
import type { Probe, Shape } from './types';

/** Height of the title band at the top of every replay scene. */
export const TITLE_HEIGHT = 30;
/** Height of the status band (text and progress strip) at the bottom of every replay scene. */
export const STATUS_HEIGHT = 48;
/** Horizontal padding of replay scenes. */
export const PAD = 12;

/** The drawing area left between the title and status bands. */
export function contentArea(input: ReplayInput): {
  x: number;
  y: number;
  width: number;
  height: number;
} {
  const { width, height } = input.viewport;
  return {
    x: PAD,
    y: TITLE_HEIGHT,
    width: Math.max(1, width - 2 * PAD),
    height: Math.max(1, height - TITLE_HEIGHT - STATUS_HEIGHT),
  };
}

/** Title: env id, agent and episode index. */
export function titleShapes(input: ReplayInput, family: string): Shape[] {
  const { header } = input;
  const agent = header.agent ? ` · ${header.agent.name}` : '';
  const text = `${header.envId}${agent} · episode ${header.episodeIndex} · ${family}`;
  return [{ kind: 'text', x: PAD, y: 8, text, size: 14, color: PALETTE.text }];
}

/** One line describing the step that led to the current position. */
export function describeStep(input: ReplayInput, actionLabel?: (a: unknown) => string): string {
  const step = stepLeadingHere(input);
  const parts = [`step ${input.position}/${input.length}`];
  if (step) {
    parts.push(`action ${actionLabel ? actionLabel(step.action) : shortJson(step.action, 40)}`);
    parts.push(`reward ${formatSigned(step.reward)}`);
  } else {
    parts.push('after reset');
  }
  parts.push(`return ${formatNumber(input.runningReturn)}`);
  if (step?.terminated) parts.push('terminated');
  if (step?.truncated) parts.push('truncated');
  return parts.join(' · ');
}

/**
 * Status band: a text line and a progress strip whose marker sits at the current position.
 * Returns the shapes and the marker's probe.
 */
export function statusShapes(input: ReplayInput, text: string): { shapes: Shape[]; marker: Probe } {
  const { width, height } = input.viewport;
  const stripY = height - 14;
  const stripW = width - 2 * PAD;
  const fraction = input.length === 0 ? 0 : input.position / input.length;
  const markerX = PAD + fraction * stripW;
  const shapes: Shape[] = [
    { kind: 'text', x: PAD, y: height - 40, text, size: 13, color: PALETTE.text, mono: true },
    { kind: 'rect', x: PAD, y: stripY - 2, w: stripW, h: 4, fill: PALETTE.grid },
    { kind: 'rect', x: markerX - 4, y: stripY - 7, w: 8, h: 14, fill: PALETTE.highlight },
  ];

  return { shapes, marker: { label: 'progress', x: markerX, y: stripY, color: PALETTE.highlight } };
}
