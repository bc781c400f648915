/**
 * Scene descriptions: what a replay frame or a chart looks like, as plain data. Builders in
 * this folder turn recordings into scenes without touching the DOM (PITFALLS P20), so they run
 * and are tested in bare Node; only `render/painter.ts` turns a scene into PixiJS objects.
 *
 * Coordinates are CSS pixels of the canvas, origin top-left, y down.
 */

/** A colour as 0xRRGGBB. */
export type Color = number;

/** A filled and/or outlined rectangle. */
export interface RectShape {
  /** Discriminant. */
  kind: 'rect';
  /** Left edge. */
  x: number;
  /** Top edge. */
  y: number;
  /** Width. */
  w: number;
  /** Height. */
  h: number;
  /** Fill colour; omit for an outline only. */
  fill?: Color;
  /** Outline colour; omit for no outline. */
  stroke?: Color;
  /** Outline width in pixels; defaults to 1. */
  strokeWidth?: number;
  /** Opacity of the fill in [0, 1]; defaults to 1. */
  alpha?: number;
}

/** A filled and/or outlined circle. */
export interface CircleShape {
  /** Discriminant. */
  kind: 'circle';
  /** Centre x. */
  x: number;
  /** Centre y. */
  y: number;
  /** Radius. */
  r: number;
  /** Fill colour; omit for an outline only. */
  fill?: Color;
  /** Outline colour. */
  stroke?: Color;
  /** Outline width in pixels; defaults to 1. */
  strokeWidth?: number;
  /** Opacity in [0, 1]; defaults to 1. */
  alpha?: number;
}

/** An open polyline through `points` = [x0, y0, x1, y1, ...]. */
export interface PolylineShape {
  /** Discriminant. */
  kind: 'polyline';
  /** Flat list of coordinates. */
  points: number[];
  /** Line colour. */
  color: Color;
  /** Line width in pixels. */
  width: number;
  /** Opacity in [0, 1]; defaults to 1. */
  alpha?: number;
}

/** A filled closed polygon through `points` = [x0, y0, x1, y1, ...]. */
export interface PolygonShape {
  /** Discriminant. */
  kind: 'polygon';
  /** Flat list of coordinates. */
  points: number[];
  /** Fill colour. */
  fill: Color;
  /** Opacity in [0, 1]; defaults to 1. */
  alpha?: number;
}

/** A line of text. */
export interface TextShape {
  /** Discriminant. */
  kind: 'text';
  /** Anchor point x. */
  x: number;
  /** Anchor point y. */
  y: number;
  /** The text; may contain newlines. */
  text: string;
  /** Font size in pixels. */
  size: number;
  /** Text colour. */
  color: Color;
  /** Horizontal anchor: 0 left, 0.5 centre, 1 right; defaults to 0. */
  anchorX?: number;
  /** Vertical anchor: 0 top, 0.5 middle, 1 bottom; defaults to 0. */
  anchorY?: number;
  /** Monospaced font. */
  mono?: boolean;
}

/** Any drawable shape. */
export type Shape = RectShape | CircleShape | PolylineShape | PolygonShape | TextShape;

/**
 * A point where the scene promises a colour, e.g. the centre of the agent. The browser tests
 * read the canvas there to check that what was drawn matches the scene logic.
 */
export interface Probe {
  /** What sits there, e.g. `'agent'`. */
  label: string;
  /** x in CSS pixels. */
  x: number;
  /** y in CSS pixels. */
  y: number;
  /** The colour expected at (x, y). */
  color: Color;
}

/** Everything needed to draw one picture. */
export interface Scene {
  /** Canvas width the scene was laid out for. */
  width: number;
  /** Canvas height the scene was laid out for. */
  height: number;
  /** Background colour. */
  background: Color;
  /** Shapes, drawn in order (later ones on top). */
  shapes: Shape[];
  /** Points with a promised colour (see {@link Probe}). */
  probes: Probe[];
}

/** Size of the drawing area in CSS pixels. */
export interface Viewport {
  /** Width. */
  width: number;
  /** Height. */
  height: number;
}

/** An axis-aligned box. */
export interface Bounds {
  /** Smallest x. */
  minX: number;
  /** Smallest y. */
  minY: number;
  /** Largest x. */
  maxX: number;
  /** Largest y. */
  maxY: number;
}
