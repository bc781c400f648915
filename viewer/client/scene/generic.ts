import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatSigned, shortJson } from './geometry';
import { PALETTE } from './palette';
import { observationAt, stepLeadingHere, type ReplayInput } from './replay';
import type { Scene, Shape } from './types';

/** Text lines the generic renderer shows for the current position. */
export function genericLines(input: ReplayInput, maxChars: number): string[] {
  const step = stepLeadingHere(input);
  const lines = [`observation  ${shortJson(observationAt(input), maxChars)}`];
  if (step) {
    lines.push(`action       ${shortJson(step.action, maxChars)}`);
    lines.push(`reward       ${formatSigned(step.reward)}`);
    lines.push(`terminated   ${step.terminated}   truncated ${step.truncated}`);
    if (step.actionProb !== null) lines.push(`action prob  ${shortJson(step.actionProb)}`);
    lines.push(`info         ${shortJson(step.info, maxChars)}`);
  } else {
    lines.push('action       (after reset)');
    lines.push(`info         ${shortJson(input.header.info, maxChars)}`);
  }
  const frame = step ? step.frame : input.header.frame;
  if (frame && Object.keys(frame).length > 1)
    lines.push(`frame        ${shortJson(frame, maxChars)}`);
  return lines;
}

/**
 * Scene for any env: the observation, action, reward and info as text. Also the fallback for
 * frames another renderer cannot read, so every recorded episode replays.
 */
export function buildGenericScene(input: ReplayInput, note?: string): Scene {
  const area = contentArea(input);
  const maxChars = Math.max(20, Math.floor(area.width / 7.8) - 14);
  const shapes: Shape[] = [...titleShapes(input, 'generic')];
  const lines = genericLines(input, maxChars);
  if (note) lines.unshift(note);
  lines.forEach((text, i) => {
    shapes.push({
      kind: 'text',
      x: area.x,
      y: area.y + 6 + i * 20,
      text,
      size: 13,
      color: PALETTE.text,
      mono: true,
    });
  });
  const status = statusShapes(input, describeStep(input));
  shapes.push(...status.shapes);

  return { ...input.viewport, background: PALETTE.background, shapes, probes: [status.marker] };
}
