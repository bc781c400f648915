import { contentArea, describeStep, statusShapes, titleShapes } from './common';
import { formatSigned } from './geometry';
import { PALETTE, TILE_COLORS, UNKNOWN_TILE } from './palette';
import {
  finiteOrNull,
  frameAt,
  isNumberArray,
  isRecord,
  type Frame,
  type ReplayInput,
} from './replay';
import type { Probe, Scene, Shape } from './types';

/** The gridworld render frame (see notes/RUNS.md). */
export interface GridFrame {
  /** Always `'gridworld'`. */
  family: string;
  /** Number of rows. */
  nrow: number;
  /** Number of columns. */
  ncol: number;
  /** One string per row, one character per tile. */
  tiles: string[];
  /** The agent's `[row, col]`. */
  agent: [number, number];
  /** The last action, or null after reset. */
  lastAction: number | null;
  /** The last reward, or null after reset. */
  lastReward: number | null;
  /** Env-specific extras (Taxi: passengerLocation, destination, locations). */
  extra?: Record<string, unknown>;
}

/** Where a grid sits on the canvas. */
export interface GridLayout {
  /** Left edge of column 0. */
  originX: number;
  /** Top edge of row 0. */
  originY: number;
  /** Side of a square cell in pixels. */
  cell: number;
  /** Number of rows. */
  nrow: number;
  /** Number of columns. */
  ncol: number;
}

/** How many earlier positions the trail shows. */
export const TRAIL_LENGTH = 24;

/** True when `frame` has every field the gridworld renderer needs. */
export function isGridFrame(frame: unknown): frame is GridFrame {
  if (!isRecord(frame)) return false;
  const { nrow, ncol, tiles, agent } = frame;
  return (
    Number.isInteger(nrow) &&
    Number.isInteger(ncol) &&
    (nrow as number) > 0 &&
    (ncol as number) > 0 &&
    Array.isArray(tiles) &&
    tiles.every((row) => typeof row === 'string') &&
    isNumberArray(agent) &&
    agent.length === 2
  );
}

/**
 * Row and column of a flat state index. The index is `row * ncol + col`: the number of
 * *columns*, not rows (PITFALLS P6, Gymnasium #692), so on the 2x3 map `["SFF","FHG"]` state 3
 * is row 1, column 0.
 */
export function stateToCell(state: number, ncol: number): [number, number] {
  return [Math.floor(state / ncol), state % ncol];
}

/** Inverse of {@link stateToCell}: `row * ncol + col`. */
export function cellToState(row: number, col: number, ncol: number): number {
  return row * ncol + col;
}

/** Fits an `nrow x ncol` grid of square cells, centred, into an area. */
export function gridLayout(
  nrow: number,
  ncol: number,
  area: { x: number; y: number; width: number; height: number },
): GridLayout {
  const cell = Math.max(1, Math.floor(Math.min(area.width / ncol, area.height / nrow)));
  const originX = Math.round(area.x + (area.width - cell * ncol) / 2);
  const originY = Math.round(area.y + (area.height - cell * nrow) / 2);

  return { originX, originY, cell, nrow, ncol };
}

/** Top-left pixel of a cell. */
export function cellToPixel(
  layout: GridLayout,
  row: number,
  col: number,
): { x: number; y: number } {
  return { x: layout.originX + col * layout.cell, y: layout.originY + row * layout.cell };
}

/** Centre pixel of a cell. */
export function cellCenter(layout: GridLayout, row: number, col: number): { x: number; y: number } {
  const { x, y } = cellToPixel(layout, row, col);
  return { x: x + layout.cell / 2, y: y + layout.cell / 2 };
}

/** The cell under a pixel, or null outside the grid. */
export function pixelToCell(layout: GridLayout, x: number, y: number): [number, number] | null {
  const col = Math.floor((x - layout.originX) / layout.cell);
  const row = Math.floor((y - layout.originY) / layout.cell);
  if (row < 0 || col < 0 || row >= layout.nrow || col >= layout.ncol) return null;
  return [row, col];
}

/** Unit direction [dx, dy] (y down) of a named move, or null for non-moves (pickup...). */
function directionOfName(name: string): [number, number] | null {
  const key = name.toLowerCase();
  if (['left', 'west', 'w'].includes(key)) return [-1, 0];
  if (['right', 'east', 'e'].includes(key)) return [1, 0];
  if (['up', 'north', 'n'].includes(key)) return [0, -1];
  if (['down', 'south', 's'].includes(key)) return [0, 1];
  return null;
}

// Action orders as documented by Gymnasium's toy_text envs (frozen_lake.py, cliffwalking.py,
// taxi.py); an env may override them with `actionNames` in its frame or frame.extra.
const ACTION_NAMES: [RegExp, string[]][] = [
  [/cliff/i, ['up', 'right', 'down', 'left']],
  [/taxi/i, ['south', 'north', 'east', 'west', 'pickup', 'dropoff']],
  [/.*/, ['left', 'down', 'right', 'up']],
];

/** Names of the actions of a gridworld, from the frame if it says, else by env id. */
export function actionNames(envId: string, frame: Frame | null): string[] {
  const own = frame?.actionNames ?? (isRecord(frame?.extra) ? frame.extra.actionNames : undefined);
  if (Array.isArray(own) && own.every((n) => typeof n === 'string')) return own as string[];
  return ACTION_NAMES.find(([pattern]) => pattern.test(envId))![1];
}

/** Unit directions of the actions (null for actions that do not move). */
export function actionDirections(names: string[]): ([number, number] | null)[] {
  return names.map(directionOfName);
}

function tileShapes(frame: GridFrame, layout: GridLayout): Shape[] {
  const shapes: Shape[] = [];
  const letters = layout.cell >= 24 && frame.nrow * frame.ncol <= 400;
  for (let r = 0; r < frame.nrow; r++) {
    for (let c = 0; c < frame.ncol; c++) {
      const ch = frame.tiles[r]?.[c] ?? ' ';
      const { x, y } = cellToPixel(layout, r, c);
      const fill = TILE_COLORS[ch] ?? UNKNOWN_TILE;
      shapes.push({ kind: 'rect', x, y, w: layout.cell, h: layout.cell, fill, stroke: 0xffffff });
      if (letters && ch.trim() !== '' && ch !== 'F' && ch !== '.') {
        const color = ch === 'H' || ch === 'C' ? 0xffffff : PALETTE.mutedText;
        shapes.push({ kind: 'text', x: x + 3, y: y + 2, text: ch, size: 11, color });
      }
    }
  }
  return shapes;
}

/** A triangular arrow head pointing along `dir`, its tip `length` away from `center`. */
function arrowShape(
  center: { x: number; y: number },
  dir: [number, number],
  length: number,
  color: number,
): Shape {
  const [dx, dy] = dir;
  const tipX = center.x + dx * length;
  const tipY = center.y + dy * length;
  const head = Math.max(3, length * 0.4);
  const baseX = tipX - dx * head;
  const baseY = tipY - dy * head;
  const points = [tipX, tipY, baseX - dy * head * 0.6, baseY + dx * head * 0.6];
  points.push(baseX + dy * head * 0.6, baseY - dx * head * 0.6);
  return { kind: 'polygon', points, fill: color };
}

function argmax(values: number[]): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}

/** Arrows for every action at a cell, length by normalised value, the best one highlighted. */
function valueArrows(
  center: { x: number; y: number },
  qValues: number[],
  directions: ([number, number] | null)[],
  cell: number,
): Shape[] {
  const moves = qValues.map((v, a) => ({ v, dir: directions[a] })).filter((m) => m.dir);
  if (moves.length === 0) return [];
  const lo = Math.min(...moves.map((m) => m.v));
  const hi = Math.max(...moves.map((m) => m.v));
  const best = argmax(qValues);
  const shapes: Shape[] = [];
  qValues.forEach((v, a) => {
    const dir = directions[a];
    if (!dir) return;
    // Drawn under the agent disc (radius 0.3 cell): only the part outside it shows, so the
    // disc's centre keeps the agent colour.
    const scaled = hi > lo ? (v - lo) / (hi - lo) : 1;
    const length = cell * (0.34 + 0.14 * scaled);
    const color = a === best ? PALETTE.positive : PALETTE.arrow;
    shapes.push(arrowShape(center, dir, length, color));
  });
  return shapes;
}

function agentCellAt(input: ReplayInput, position: number): [number, number] | null {
  const frame = frameAt(input, position);
  return isGridFrame(frame) ? [frame.agent[0], frame.agent[1]] : null;
}

/** Trail dots and greedy-policy arrows at the cells visited in the last positions. */
function trailShapes(
  input: ReplayInput,
  layout: GridLayout,
  directions: ([number, number] | null)[],
): Shape[] {
  const shapes: Shape[] = [];
  const first = Math.max(0, input.position - TRAIL_LENGTH);
  for (let p = first; p < input.position; p++) {
    const cell = agentCellAt(input, p);
    if (!cell) continue;
    const center = cellCenter(layout, cell[0], cell[1]);
    const alpha = 0.25 + (0.5 * (p - first + 1)) / (input.position - first);
    const r = Math.max(2, layout.cell * 0.1);
    shapes.push({ kind: 'circle', ...center, r, fill: PALETTE.trail, alpha });
    const q = input.stepAt(p)?.qValues;
    const dir = isNumberArray(q) ? directions[argmax(q)] : null;
    if (dir && layout.cell >= 16) shapes.push(arrowShape(center, dir, layout.cell * 0.3, 0xadb5bd));
  }
  return shapes;
}

/**
 * Walls of a Taxi-style ASCII map (`extra.map`: a border row, then one row per grid row where
 * the character between columns c and c + 1, at index 2c + 2, is `|` for a wall).
 */
export function wallShapes(frame: GridFrame, layout: GridLayout): Shape[] {
  const map = isRecord(frame.extra) ? frame.extra.map : undefined;
  if (!Array.isArray(map) || map.length !== frame.nrow + 2) return [];
  const shapes: Shape[] = [];
  for (let r = 0; r < frame.nrow; r++) {
    for (let c = 0; c + 1 < frame.ncol; c++) {
      if (String(map[r + 1])[2 * c + 2] !== '|') continue;
      const { x, y } = cellToPixel(layout, r, c + 1);
      shapes.push({
        kind: 'polyline',
        points: [x, y, x, y + layout.cell],
        color: PALETTE.track,
        width: 4,
      });
    }
  }
  return shapes;
}

/** Taxi extras: destination outline and passenger dot, when the frame carries them. */
function taxiShapes(frame: GridFrame, layout: GridLayout): Shape[] {
  const extra = frame.extra;
  if (!isRecord(extra) || !Array.isArray(extra.locations)) return [];
  const locations = extra.locations.filter(isNumberArray) as number[][];
  const shapes: Shape[] = [];
  const dest = finiteOrNull(extra.destination);
  if (dest !== null && locations[dest]) {
    const { x, y } = cellToPixel(layout, locations[dest][0], locations[dest][1]);
    const inset = layout.cell * 0.08;
    const side = layout.cell - 2 * inset;
    shapes.push({ kind: 'rect', x: x + inset, y: y + inset, w: side, h: side, stroke: 0xae3ec9 });
  }
  const passenger = finiteOrNull(extra.passengerLocation);
  if (passenger !== null && locations[passenger]) {
    const center = cellCenter(layout, locations[passenger][0], locations[passenger][1]);
    shapes.push({
      kind: 'circle',
      x: center.x + layout.cell * 0.25,
      y: center.y,
      r: 4,
      fill: 0xae3ec9,
    });
  }
  return shapes;
}

/**
 * Scene of a gridworld frame: tiles, trail, the agent, the agent's action values as arrows
 * (when recorded), and the reward of the last step next to the agent.
 */
export function buildGridworldScene(input: ReplayInput): Scene {
  const frame = frameAt(input) as unknown as GridFrame;
  const layout = gridLayout(frame.nrow, frame.ncol, contentArea(input));
  const names = actionNames(input.header.envId, frameAt(input));
  const directions = actionDirections(names);
  const [row, col] = frame.agent;
  const center = cellCenter(layout, row, col);
  const shapes: Shape[] = [...titleShapes(input, 'gridworld'), ...tileShapes(frame, layout)];

  shapes.push(...wallShapes(frame, layout), ...taxiShapes(frame, layout));
  shapes.push(...trailShapes(input, layout, directions));
  const q = input.stepAt(input.position)?.qValues;
  if (isNumberArray(q)) shapes.push(...valueArrows(center, q, directions, layout.cell));
  shapes.push({ kind: 'circle', ...center, r: layout.cell * 0.3, fill: PALETTE.agent });
  shapes.push(...rewardLabel(input, frame, center, layout.cell));

  const label = (a: unknown) =>
    typeof a === 'number' && names[a] ? names[a].toUpperCase() : String(a);
  const status = statusShapes(input, describeStep(input, label));
  shapes.push(...status.shapes);
  const agent: Probe = { label: 'agent', x: center.x, y: center.y, color: PALETTE.agent };

  return {
    ...input.viewport,
    background: PALETTE.background,
    shapes,
    probes: [agent, status.marker],
  };
}

function rewardLabel(
  input: ReplayInput,
  frame: GridFrame,
  center: { x: number; y: number },
  cell: number,
): Shape[] {
  const reward =
    input.position === 0 ? null : (input.stepAt(input.position - 1)?.reward ?? frame.lastReward);
  if (reward === null || reward === 0 || reward === undefined) return [];
  const color = reward > 0 ? PALETTE.positive : PALETTE.negative;
  const text = formatSigned(reward);
  const y = Math.max(center.y - cell * 0.5, 32);
  return [{ kind: 'text', x: center.x, y, text, size: 14, color, anchorX: 0.5, anchorY: 1 }];
}
