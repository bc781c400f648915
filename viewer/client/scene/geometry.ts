import type { Bounds, Scene, Shape } from './types';

/** Rough width of a text in pixels: average glyph width ~0.6 em for the fonts we use. */
export function estimateTextWidth(text: string, size: number): number {
  const longest = text.split('\n').reduce((m, line) => Math.max(m, line.length), 0);
  return longest * size * 0.6;
}

function textBox(shape: Extract<Shape, { kind: 'text' }>): Bounds {
  const lines = shape.text.split('\n').length;
  const w = estimateTextWidth(shape.text, shape.size);
  const h = lines * shape.size * 1.25;
  const x = shape.x - (shape.anchorX ?? 0) * w;
  const y = shape.y - (shape.anchorY ?? 0) * h;
  return { minX: x, minY: y, maxX: x + w, maxY: y + h };
}

function pointsBox(points: number[], pad: number): Bounds {
  const box = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
  for (let i = 0; i + 1 < points.length; i += 2) {
    box.minX = Math.min(box.minX, points[i] - pad);
    box.maxX = Math.max(box.maxX, points[i] + pad);
    box.minY = Math.min(box.minY, points[i + 1] - pad);
    box.maxY = Math.max(box.maxY, points[i + 1] + pad);
  }
  return box;
}

/** Bounding box of one shape (text boxes are estimates). */
export function shapeBounds(shape: Shape): Bounds {
  switch (shape.kind) {
    case 'rect':
      return { minX: shape.x, minY: shape.y, maxX: shape.x + shape.w, maxY: shape.y + shape.h };
    case 'circle':
      return {
        minX: shape.x - shape.r,
        minY: shape.y - shape.r,
        maxX: shape.x + shape.r,
        maxY: shape.y + shape.r,
      };
    case 'polyline':
      return pointsBox(shape.points, shape.width / 2);
    case 'polygon':
      return pointsBox(shape.points, 0);
    case 'text':
      return textBox(shape);
  }
}

/**
 * Bounding box of everything a scene draws, or null for an empty scene. Builders keep it
 * inside `[0, width] x [0, height]`; the unit tests check that for every family.
 */
export function sceneBounds(scene: Scene): Bounds | null {
  let box: Bounds | null = null;
  for (const shape of scene.shapes) {
    const b = shapeBounds(shape);
    if (!Number.isFinite(b.minX) || !Number.isFinite(b.minY)) continue;
    box = box
      ? {
          minX: Math.min(box.minX, b.minX),
          minY: Math.min(box.minY, b.minY),
          maxX: Math.max(box.maxX, b.maxX),
          maxY: Math.max(box.maxY, b.maxY),
        }
      : b;
  }
  return box;
}

/** Formats a number compactly for labels: integers as is, others with 3 significant digits. */
export function formatNumber(value: number | null | undefined): string {
  if (value === null || value === undefined || Number.isNaN(value)) return 'n/a';
  if (!Number.isFinite(value)) return value > 0 ? 'inf' : '-inf';
  if (Number.isInteger(value) && Math.abs(value) < 1e7) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs >= 1e6 || abs < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(3)));
}

/** `value` with an explicit sign, for rewards: `+1`, `-0.5`, `0`. */
export function formatSigned(value: number | null | undefined): string {
  const text = formatNumber(value);
  return typeof value === 'number' && value > 0 ? `+${text}` : text;
}

/** Clamps `value` into `[lo, hi]`. */
export function clamp(value: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, value));
}

/** Short JSON of any value for text panels, cut to `maxChars`. */
export function shortJson(value: unknown, maxChars = 200): string {
  let text: string;
  try {
    text = JSON.stringify(value, (_k, v) =>
      typeof v === 'number' && !Number.isInteger(v) ? Number(v.toPrecision(4)) : v,
    );
  } catch {
    text = String(value);
  }
  if (text === undefined) text = String(value);
  return text.length > maxChars ? `${text.slice(0, maxChars - 3)}...` : text;
}

/**
 * Joins `parts` with `separator` into lines of at most `maxChars` characters (a part longer
 * than that gets a line of its own).
 */
export function wrapParts(parts: string[], maxChars: number, separator = ' · '): string[] {
  const lines: string[] = [];
  let line = '';
  for (const part of parts) {
    const next = line === '' ? part : `${line}${separator}${part}`;
    if (next.length > maxChars && line !== '') {
      lines.push(line);
      line = part;
    } else {
      line = next;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
