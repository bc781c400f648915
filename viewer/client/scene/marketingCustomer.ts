import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatNumber, formatSigned } from './geometry';
import { CUSTOMER_COLORS, PALETTE } from './palette';
import { finiteOrNull, isNumberArray, isRecord, type ReplayInput } from './replay';
import type { Color, Scene, Shape } from './types';

/** Names of the marketing actions, by index. */
export const MARKETING_ACTIONS = ['no e-mail', 'e-mail', 'coupon'];

/** The customer card's colour: unsubscribed, else bought, else the last e-mail sent, else idle. */
export function customerCardColor(frame: Record<string, unknown>): Color {
  if (frame.unsubscribed === true) return CUSTOMER_COLORS.unsubscribed;
  if (frame.purchased === true) return CUSTOMER_COLORS.purchased;
  if (frame.lastAction === 2) return CUSTOMER_COLORS.coupon;
  if (frame.lastAction === 1) return CUSTOMER_COLORS.email;
  return CUSTOMER_COLORS.idle;
}

function stateWords(frame: Record<string, unknown>): string {
  if (frame.unsubscribed === true) return 'unsubscribed';
  const action = typeof frame.lastAction === 'number' ? MARKETING_ACTIONS[frame.lastAction] : null;
  const bought =
    frame.purchased === true ? 'bought' : frame.purchased === false ? 'no purchase' : '';
  return [action, bought].filter(Boolean).join(', ') || 'after reset';
}

function featureBars(
  features: Record<string, unknown>,
  x: number,
  y: number,
  height: number,
): Shape[] {
  const entries = Object.entries(features).filter(([, v]) => typeof v === 'number');
  const row = Math.max(8, Math.min(22, height / Math.max(1, entries.length)));
  const shapes: Shape[] = [];
  entries.forEach(([name, value], i) => {
    const top = y + i * row;
    const v = Math.max(0, Math.min(1, value as number));
    shapes.push({
      kind: 'text',
      x,
      y: top + row / 2,
      text: name,
      size: Math.min(11, row - 2),
      color: PALETTE.text,
      anchorY: 0.5,
    });
    shapes.push({ kind: 'rect', x: x + 120, y: top + 3, w: 160, h: row - 6, fill: PALETTE.grid });
    shapes.push({
      kind: 'rect',
      x: x + 120,
      y: top + 3,
      w: Math.max(1, 160 * v),
      h: row - 6,
      fill: PALETTE.trueValue,
    });
  });
  return shapes;
}

function expectedRewardBars(
  values: number[],
  chosen: number | null,
  x: number,
  y: number,
  width: number,
): Shape[] {
  const lo = Math.min(0, ...values);
  const hi = Math.max(0, ...values, lo + 1e-9);
  const barArea = 150;
  const scale = (v: number) => y + 30 + barArea - ((v - lo) / (hi - lo)) * barArea;
  const colW = width / values.length;
  const shapes: Shape[] = [
    {
      kind: 'text',
      x,
      y,
      text: 'expected reward this week (outline: agent choice)',
      size: 11,
      color: PALETTE.mutedText,
    },
  ];
  values.forEach((v, a) => {
    const cx = x + (a + 0.5) * colW;
    const top = Math.min(scale(v), scale(0));
    const h = Math.max(1, Math.abs(scale(v) - scale(0)));
    const fill = v >= 0 ? PALETTE.positive : PALETTE.negative;
    const outline = a === chosen ? { stroke: PALETTE.highlight, strokeWidth: 3 } : {};
    shapes.push({ kind: 'rect', x: cx - colW * 0.3, y: top, w: colW * 0.6, h, fill, ...outline });
    shapes.push({
      kind: 'text',
      x: cx,
      y: y + 36 + barArea,
      text: MARKETING_ACTIONS[a] ?? `action ${a}`,
      size: 11,
      color: PALETTE.text,
      anchorX: 0.5,
    });
    shapes.push({
      kind: 'text',
      x: cx,
      y: y + 50 + barArea,
      text: formatNumber(v),
      size: 11,
      color: PALETTE.mutedText,
      anchorX: 0.5,
    });
  });
  return shapes;
}

/**
 * Scene of the single-customer view: a card coloured by the customer's state, the customer's
 * features as bars, and the expected reward of each action this week (ground truth from the
 * simulator) with the action the agent then took outlined.
 */
export function buildCustomerScene(input: ReplayInput, frame: Record<string, unknown>): Scene {
  const area = contentArea(input);
  const shapes: Shape[] = [...titleShapes(input, 'marketing · one customer')];
  const headline = [`week ${formatNumber(finiteOrNull(frame.week))}`, stateWords(frame)];
  headline.push(
    `last reward ${formatSigned(finiteOrNull(frame.lastReward))}`,
    `profit so far ${formatNumber(finiteOrNull(frame.cumulativeReward) ?? input.runningReturn)}`,
  );
  shapes.push({
    kind: 'text',
    x: area.x,
    y: area.y + 2,
    text: headline.join(' · '),
    size: 12,
    color: PALETTE.text,
    mono: true,
  });
  const card = { x: area.x + 10, y: area.y + 30, side: Math.min(140, area.height - 60) };
  const color = customerCardColor(frame);
  shapes.push({
    kind: 'rect',
    x: card.x,
    y: card.y,
    w: card.side,
    h: card.side,
    fill: color,
    stroke: PALETTE.axis,
  });
  const featuresX = card.x + card.side + 30;
  if (isRecord(frame.features))
    shapes.push(...featureBars(frame.features, featuresX, area.y + 30, area.height - 40));
  const rightX = featuresX + 300;
  const next = input.stepAt(input.position)?.action;
  if (isNumberArray(frame.expectedRewards) && rightX + 150 <= area.x + area.width) {
    const width = Math.min(360, area.x + area.width - rightX);
    shapes.push(
      ...expectedRewardBars(
        frame.expectedRewards,
        typeof next === 'number' ? next : null,
        rightX,
        area.y + 30,
        width,
      ),
    );
  }
  const status = statusShapes(
    input,
    describeStep(input, (a) =>
      typeof a === 'number' ? (MARKETING_ACTIONS[a] ?? String(a)) : String(a),
    ),
  );
  shapes.push(...status.shapes);
  const probe = { label: 'customer', x: card.x + card.side / 2, y: card.y + card.side / 2, color };

  return {
    ...input.viewport,
    background: PALETTE.background,
    shapes,
    probes: [probe, status.marker],
  };
}
