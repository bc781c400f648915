import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatNumber } from './geometry';
import { PALETTE } from './palette';
import { frameAt, isRecord, type ReplayInput } from './replay';
import type { Scene, Shape } from './types';

/** The CartPole render frame (see notes/RUNS.md). */
export interface CartPoleFrame {
  /** Always `'cartpole'`. */
  family: string;
  /** Cart position in metres. */
  x: number;
  /** Cart velocity. */
  xDot: number;
  /** Pole angle in radians, positive leaning right. */
  theta: number;
  /** Pole angular velocity. */
  thetaDot: number;
  /** |x| beyond which the episode terminates (2.4 in CartPole-v1). */
  xThreshold: number;
  /** |theta| beyond which the episode terminates (12 degrees in CartPole-v1). */
  thetaThresholdRadians: number;
}

const NUMERIC_FIELDS = ['x', 'xDot', 'theta', 'thetaDot', 'xThreshold', 'thetaThresholdRadians'];

/** True when `frame` has every field the CartPole renderer needs. */
export function isCartPoleFrame(frame: unknown): frame is CartPoleFrame {
  return (
    isRecord(frame) &&
    NUMERIC_FIELDS.every((k) => typeof frame[k] === 'number' && Number.isFinite(frame[k])) &&
    (frame.xThreshold as number) > 0
  );
}

/** Pixel geometry of the cart and pole for a frame. */
export interface CartPoleGeometry {
  /** Pixels per metre. */
  scale: number;
  /** Pixel x of the cart centre. */
  cartX: number;
  /** Pixel y of the cart centre. */
  cartY: number;
  /** Cart width and height in pixels. */
  cartW: number;
  /** Cart height in pixels. */
  cartH: number;
  /** Pixel x of the track's centre (x = 0). */
  centerX: number;
  /** Pole tip, pixels. */
  tip: { x: number; y: number };
  /** Pole base (pivot), pixels. */
  pivot: { x: number; y: number };
}

// Gymnasium's CartPole-v1: pole half-length 0.5 m (so the drawn pole is 1 m), world drawn
// over [-1.2 * xThreshold, 1.2 * xThreshold] so the walls at the thresholds stay visible.
const POLE_LENGTH_M = 1.0;
const CART_W_M = 0.5;
const CART_H_M = 0.3;

/** Maps a CartPole frame to pixels inside an area. */
export function cartPoleGeometry(
  frame: CartPoleFrame,
  area: { x: number; y: number; width: number; height: number },
): CartPoleGeometry {
  const worldWidth = 2.4 * frame.xThreshold;
  const scale = Math.min(area.width / worldWidth, (area.height * 0.8) / (POLE_LENGTH_M + CART_H_M));
  const centerX = area.x + area.width / 2;
  const cartY = area.y + area.height * 0.82;
  const cartX = centerX + frame.x * scale;
  const pivot = { x: cartX, y: cartY - (CART_H_M * scale) / 2 };
  const tip = {
    x: pivot.x + Math.sin(frame.theta) * POLE_LENGTH_M * scale,
    y: pivot.y - Math.cos(frame.theta) * POLE_LENGTH_M * scale,
  };

  return {
    scale,
    cartX,
    cartY,
    cartW: CART_W_M * scale,
    cartH: CART_H_M * scale,
    centerX,
    tip,
    pivot,
  };
}

/** Scene of a CartPole frame: track with threshold walls, cart, pole, and the state as text. */
export function buildCartPoleScene(input: ReplayInput): Scene {
  const frame = frameAt(input) as unknown as CartPoleFrame;
  const area = contentArea(input);
  const g = cartPoleGeometry(frame, area);
  const shapes: Shape[] = [...titleShapes(input, 'cartpole')];
  const trackY = g.cartY + g.cartH / 2 + 2;
  shapes.push({
    kind: 'polyline',
    points: [area.x, trackY, area.x + area.width, trackY],
    color: PALETTE.track,
    width: 2,
  });
  for (const side of [-1, 1]) {
    const wx = g.centerX + side * frame.xThreshold * g.scale;
    shapes.push({
      kind: 'polyline',
      points: [wx, trackY, wx, trackY - g.cartH * 2],
      color: PALETTE.negative,
      width: 2,
    });
  }
  shapes.push({
    kind: 'rect',
    x: g.cartX - g.cartW / 2,
    y: g.cartY - g.cartH / 2,
    w: g.cartW,
    h: g.cartH,
    fill: PALETTE.cart,
  });
  const poleWidth = Math.max(3, g.scale * 0.08);
  shapes.push({
    kind: 'polyline',
    points: [g.pivot.x, g.pivot.y, g.tip.x, g.tip.y],
    color: PALETTE.pole,
    width: poleWidth,
  });
  shapes.push({
    kind: 'circle',
    x: g.pivot.x,
    y: g.pivot.y,
    r: poleWidth * 0.6,
    fill: PALETTE.track,
  });
  const degrees = (frame.theta * 180) / Math.PI;
  const state = `x ${formatNumber(frame.x)} m · x' ${formatNumber(frame.xDot)} · theta ${formatNumber(degrees)} deg · theta' ${formatNumber(frame.thetaDot)}`;
  shapes.push({
    kind: 'text',
    x: area.x,
    y: area.y + 2,
    text: state,
    size: 12,
    color: PALETTE.mutedText,
    mono: true,
  });
  const label = (a: unknown) => (a === 0 ? 'push left' : a === 1 ? 'push right' : String(a));
  const status = statusShapes(input, describeStep(input, label));
  shapes.push(...status.shapes);
  // The probe sits low in the cart body so the pole's pivot disc never covers it.
  const cart = { label: 'cart', x: g.cartX, y: g.cartY + g.cartH * 0.25, color: PALETTE.cart };

  return {
    ...input.viewport,
    background: PALETTE.background,
    shapes,
    probes: [cart, status.marker],
  };
}
