import {
  InvalidConfigError,
  InvalidMapError,
  describeValue,
  rejectUnknownOptions,
} from '../../src/index';
import type { Transition } from '../../src/index';
import {
  DiscreteModelEnv,
  slipDirections,
  type GridworldFrame,
  type TransitionTable,
} from './discrete-env';
import { checkRectangular } from './maps';

/** GridWorld's actions: the same order as FrozenLake. */
export const GridWorldAction = Object.freeze({ Left: 0, Down: 1, Right: 2, Up: 3 } as const);

/** Options of {@link GridWorld}. */
export interface GridWorldOptions {
  /**
   * The map, one string per row: `#` wall, `S` start (exactly one), `G` goal (terminal, at
   * least one), `H` hole (terminal), `.` or `F` free, a digit `0`-`9` a free cell paying that
   * many points, a lowercase letter a free cell paying the reward given in `rewards`.
   * @defaultValue Russell and Norvig's 4x3 world: `['...G', '.#.H', 'S...']`
   */
  map?: readonly string[];
  /**
   * Reward for entering cells of a character, overriding the defaults: keys `G` (default 1),
   * `H` (default -1), digits (default: their value), lowercase letters (required for each
   * letter the map uses).
   */
  rewards?: Readonly<Record<string, number>>;
  /** Reward for entering a free cell (`.`, `F`, `S`), e.g. -1 as a cost of time. @defaultValue 0 */
  stepReward?: number;
  /** Whether moves can slip to a perpendicular direction. @defaultValue false */
  isSlippery?: boolean;
  /** Probability of the intended move when slippery, in [0, 1]. @defaultValue 0.8 */
  successRate?: number;
}

const OPTION_NAMES = ['map', 'rewards', 'stepReward', 'isSlippery', 'successRate'];
const DEFAULT_MAP = Object.freeze(['...G', '.#.H', 'S...']);
const DELTAS: readonly (readonly [number, number])[] = [
  [0, -1],
  [1, 0],
  [0, 1],
  [-1, 0],
];

/** What the parser learned about each cell. */
interface ParsedMap {
  rows: string[];
  nrow: number;
  ncol: number;
  start: number;
  /** Reward for entering each cell (NaN for walls). */
  reward: Float64Array;
  /** 1 for G and H. */
  terminal: Uint8Array;
  /** 1 for walls. */
  wall: Uint8Array;
}

function checkLegend(rewards: unknown): Record<string, number> {
  if (rewards === undefined) return {};
  if (typeof rewards !== 'object' || rewards === null || Array.isArray(rewards)) {
    throw new InvalidConfigError(
      `GridWorld rewards must be an object mapping map characters to rewards, e.g. ` +
        `{ G: 10, a: -5 }; received ${describeValue(rewards)}.`,
    );
  }
  for (const [key, value] of Object.entries(rewards)) {
    if (!/^[GH0-9a-z]$/.test(key) || typeof value !== 'number' || !Number.isFinite(value)) {
      throw new InvalidConfigError(
        `GridWorld rewards: entry ${describeValue(key)}: ${describeValue(value)} is not allowed. ` +
          'Keys are G, H, a digit or a lowercase letter; values are finite numbers.',
      );
    }
  }

  return rewards as Record<string, number>;
}

function cellReward(ch: string, legend: Record<string, number>, stepReward: number): number {
  if (ch === 'G') return legend.G ?? 1;
  if (ch === 'H') return legend.H ?? -1;
  if (ch >= '0' && ch <= '9') return legend[ch] ?? Number(ch);
  if (ch >= 'a' && ch <= 'z') return legend[ch];

  return stepReward;
}

function isKnown(ch: string, legend: Record<string, number>): boolean {
  return '#SGH.F0123456789'.includes(ch) || (ch >= 'a' && ch <= 'z' && ch in legend);
}

function unknownCharacter(ch: string, r: number, c: number): InvalidMapError {
  const letter = ch >= 'a' && ch <= 'z';
  const fix = letter
    ? `Give its reward in the rewards option, e.g. rewards: { ${ch}: -5 }.`
    : 'Use # wall, S start, G goal, H hole, . free, a digit, or a letter from rewards.';

  return new InvalidMapError(
    `GridWorld map: row ${r}, column ${c}: unknown character ${describeValue(ch)}. ${fix}`,
  );
}

function findStart(rows: string[]): number {
  const starts: [number, number][] = [];
  rows.forEach((row, r) => [...row].forEach((ch, c) => ch === 'S' && starts.push([r, c])));
  if (starts.length === 0) {
    throw new InvalidMapError(
      'GridWorld map has no start: put exactly one S on the cell where episodes begin.',
    );
  }
  if (starts.length > 1) {
    const where = starts.map(([r, c]) => `row ${r}, column ${c}`).join('; ');
    throw new InvalidMapError(
      `GridWorld map has ${starts.length} starts S (${where}); expected exactly one. ` +
        'Replace the extra S by . (free).',
    );
  }

  return starts[0][0] * rows[0].length + starts[0][1];
}

function parseMap(map: unknown, legend: Record<string, number>, stepReward: number): ParsedMap {
  checkRectangular(map, 'GridWorld map');
  const rows = [...map];
  const nrow = rows.length;
  const ncol = rows[0].length;
  const parsed: ParsedMap = {
    rows,
    nrow,
    ncol,
    start: -1,
    reward: new Float64Array(nrow * ncol),
    terminal: new Uint8Array(nrow * ncol),
    wall: new Uint8Array(nrow * ncol),
  };
  rows.forEach((row, r) =>
    [...row].forEach((ch, c) => {
      if (!isKnown(ch, legend)) throw unknownCharacter(ch, r, c);
      const s = r * ncol + c;
      parsed.wall[s] = ch === '#' ? 1 : 0;
      parsed.terminal[s] = ch === 'G' || ch === 'H' ? 1 : 0;
      parsed.reward[s] = ch === '#' ? NaN : cellReward(ch, legend, stepReward);
    }),
  );
  parsed.start = findStart(rows);
  if (!rows.some((row) => row.includes('G'))) {
    throw new InvalidMapError(
      'GridWorld map has no goal: put at least one G on a cell the agent should reach.',
    );
  }

  return parsed;
}

/** Where a move from `s` in `direction` lands: walls and the edge leave the agent in place. */
function landing(m: ParsedMap, s: number, direction: number): number {
  const r = Math.floor(s / m.ncol) + DELTAS[direction][0];
  const c = (s % m.ncol) + DELTAS[direction][1];
  if (r < 0 || r >= m.nrow || c < 0 || c >= m.ncol) return s;
  const next = r * m.ncol + c;

  return m.wall[next] ? s : next;
}

function buildTable(m: ParsedMap, isSlippery: boolean, successRate: number): TransitionTable {
  const outcome = (s: number, direction: number, prob: number): Transition => {
    const next = landing(m, s, direction);
    return { prob, nextState: next, reward: m.reward[next], terminated: m.terminal[next] === 1 };
  };
  const P: TransitionTable = [];
  for (let s = 0; s < m.nrow * m.ncol; s++) {
    // Terminal cells and (unreachable) walls are absorbing, as FrozenLake's G and H.
    const absorbing = m.terminal[s] === 1 || m.wall[s] === 1;
    P[s] = [0, 1, 2, 3].map((a) => {
      if (absorbing) return [{ prob: 1, nextState: s, reward: 0, terminated: true }];
      const moves = slipDirections(a, isSlippery, successRate);
      return moves.map((x) => outcome(s, x.direction, x.prob));
    });
  }

  return P;
}

function checkScalars(options: GridWorldOptions): void {
  const { stepReward, isSlippery, successRate } = options;
  if (stepReward !== undefined && !Number.isFinite(stepReward)) {
    throw new InvalidConfigError(
      `GridWorld stepReward must be a finite number; received ${describeValue(stepReward)}.`,
    );
  }
  if (isSlippery !== undefined && typeof isSlippery !== 'boolean') {
    throw new InvalidConfigError(
      `GridWorld isSlippery must be true or false; received ${describeValue(isSlippery)}.`,
    );
  }
  if (successRate !== undefined && !(successRate >= 0 && successRate <= 1)) {
    throw new InvalidConfigError(
      `GridWorld successRate must be a probability in [0, 1]; received ` +
        `${describeValue(successRate)}.`,
    );
  }
}

/**
 * GridWorld: a gridworld drawn as ASCII art, with walls, one start, goals, holes and cells
 * that pay rewards. Moves follow FrozenLake's rules (same action order, same slipping rule),
 * so agents and planners carry over.
 *
 * **Observation**: `Discrete(nrow * ncol)`, the cell `row * ncol + col` (wall cells are
 * states too but are never entered).
 *
 * **Action**: `Discrete(4)`: 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP. Moving into a wall or off the map
 * leaves the agent in place.
 *
 * **Reward**: the reward of the cell the agent is in after the move, R(s'): `stepReward` for
 * free cells, `rewards.G` (1) for goals, `rewards.H` (-1) for holes, a digit's value, or a
 * letter's reward from `rewards`. Staying in place (a wall bump) pays the current cell again.
 *
 * **Episode end**: terminated on entering G or H. Truncated by `make`'s time limit (100 steps
 * for `GridWorld-v0`).
 *
 * **Options**: `map`, `rewards`, `stepReward` (0), `isSlippery` (false), `successRate` (0.8;
 * the two perpendicular moves share the rest, never backwards); see {@link GridWorldOptions}.
 * The defaults with `isSlippery: true, stepReward: -0.04` are Russell and Norvig's 4x3 world
 * (Artificial Intelligence: A Modern Approach, 3rd ed., Fig. 17.1). A malformed map throws
 * InvalidMapError naming the row and column; bad options throw InvalidConfigError.
 *
 * **Seeding**: `reset({ seed })` reseeds; `reset()` continues the stream. Only slippery steps
 * draw random numbers (one each).
 *
 * **Version history**: v0 (tsgym 0.1): first version.
 *
 * @example
 * ```ts
 * const env = new GridWorld({ map: ['S.a', '.#G'], rewards: { a: 0.5 }, stepReward: -0.1 });
 * env.reset({ seed: 0 });
 * env.step(GridWorldAction.Right);
 * ```
 */
export class GridWorld extends DiscreteModelEnv {
  /** The map as given. */
  readonly map: readonly string[];
  /** Number of rows. */
  readonly nrow: number;
  /** Number of columns. */
  readonly ncol: number;
  private readonly cellRewards: [number, number, number][];

  /**
   * @param options - see {@link GridWorldOptions}.
   * @throws InvalidMapError for a malformed map; InvalidConfigError for bad options.
   */
  constructor(options: GridWorldOptions = {}) {
    rejectUnknownOptions(options, OPTION_NAMES, 'GridWorld options');
    checkScalars(options);
    const legend = checkLegend(options.rewards);
    const m = parseMap(options.map ?? DEFAULT_MAP, legend, options.stepReward ?? 0);
    const P = buildTable(m, options.isSlippery ?? false, options.successRate ?? 0.8);
    const initial = new Float64Array(m.nrow * m.ncol);
    initial[m.start] = 1;
    super({ name: 'GridWorld', P, nActions: 4, initialStateDistribution: initial });
    this.map = Object.freeze(m.rows);
    this.nrow = m.nrow;
    this.ncol = m.ncol;
    this.cellRewards = [];
    m.rows.forEach((row, r) =>
      [...row].forEach(
        (ch, c) => /[0-9a-z]/.test(ch) && this.cellRewards.push([r, c, m.reward[r * m.ncol + c]]),
      ),
    );
  }

  /**
   * The gridworld frame. Tiles use `S G H # .`; reward cells (digits, letters) show as `.` and
   * are listed in `extra.cellRewards` as `[row, col, reward]`.
   */
  override render(): GridworldFrame {
    const s = this.currentState();

    return {
      family: 'gridworld',
      nrow: this.nrow,
      ncol: this.ncol,
      tiles: this.map.map((row) => row.replace(/[F0-9a-z]/g, '.')),
      agent: [Math.floor(s / this.ncol), s % this.ncol],
      lastAction: this.lastAction,
      lastReward: this.lastReward,
      extra: { cellRewards: this.cellRewards.map((cell) => [...cell]) },
    };
  }
}
