import type { Color } from './types';

/** Colours shared by every scene, chosen to stay distinct for common colour-vision deficiencies. */
export const PALETTE = {
  background: 0xf7f8fa,
  panel: 0xffffff,
  text: 0x1f2933,
  mutedText: 0x66727f,
  grid: 0xd5dbe1,
  axis: 0x7b8794,
  agent: 0xe8590c,
  trail: 0xf59f00,
  positive: 0x2b8a3e,
  negative: 0xc92a2a,
  arrow: 0x343a40,
  highlight: 0xe8590c,
  trueValue: 0x1c7ed6,
  estimate: 0x94d82d,
  cart: 0x364fc7,
  pole: 0xc08552,
  track: 0x495057,
} as const;

/** Tile colours of gridworld maps by character (FrozenLake, CliffWalking, Taxi, ASCII maps). */
export const TILE_COLORS: Record<string, Color> = {
  S: 0xa5d8ff,
  F: 0xe7f5ff,
  '.': 0xe7f5ff,
  ' ': 0xe7f5ff,
  H: 0x1864ab,
  G: 0xffd43b,
  '#': 0x868e96,
  W: 0x868e96,
  C: 0x862e2e,
  R: 0xffa8a8,
  Y: 0xffec99,
  B: 0xa5d8ff,
};

/** Fallback tile colour for characters not in {@link TILE_COLORS}. */
export const UNKNOWN_TILE: Color = 0xdee2e6;

/** Line colours for overlaid runs in the learning-curve chart (Tableau 10). */
export const SERIES_COLORS: Color[] = [
  0x4e79a7, 0xf28e2b, 0xe15759, 0x76b7b2, 0x59a14f, 0xedc948, 0xb07aa1, 0xff9da7, 0x9c755f,
  0xbab0ac,
];

/** Blends `color` toward white by `amount` in [0, 1] (the faint raw curve under a smoothed one). */
export function lighten(color: Color, amount: number): Color {
  const mix = (c: number) => Math.round(c + (255 - c) * amount);
  const r = mix((color >> 16) & 255);
  const g = mix((color >> 8) & 255);
  const b = mix(color & 255);
  return (r << 16) | (g << 8) | b;
}

/** `[r, g, b]` channels of a colour. */
export function rgbOf(color: Color): [number, number, number] {
  return [(color >> 16) & 255, (color >> 8) & 255, color & 255];
}

/** Colours of marketing customers by state, in priority order. */
export const CUSTOMER_COLORS = {
  unsubscribed: 0x495057,
  purchased: 0x2b8a3e,
  coupon: 0x9c36b5,
  email: 0x1c7ed6,
  idle: 0xdee2e6,
} as const;
