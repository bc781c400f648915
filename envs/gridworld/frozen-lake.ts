import {
  InvalidConfigError,
  InvalidMapError,
  describeValue,
  rejectUnknownOptions,
} from '../../src/index';
import {
  DiscreteModelEnv,
  slipDirections,
  type GridworldFrame,
  type TransitionTable,
} from './discrete-env';
import { FROZEN_LAKE_MAPS, checkRectangular } from './maps';

/** FrozenLake's actions, in Gymnasium's order. */
export const FrozenLakeAction = Object.freeze({ Left: 0, Down: 1, Right: 2, Up: 3 } as const);

/** Options of {@link FrozenLake} (Gymnasium's keyword arguments in camelCase). */
export interface FrozenLakeOptions {
  /** A custom map, one string per row, of S F H G; overrides `mapName`. */
  desc?: readonly string[];
  /** A built-in map. @defaultValue '4x4' */
  mapName?: '4x4' | '8x8';
  /** Whether moves can slip sideways. @defaultValue true */
  isSlippery?: boolean;
  /** Probability of moving in the intended direction when slippery, in [0, 1]. @defaultValue 1/3 */
  successRate?: number;
  /** Rewards for entering `[goal, hole, frozen]` cells. @defaultValue [1, 0, 0] */
  rewardSchedule?: readonly [number, number, number];
}

const OPTION_NAMES = ['desc', 'mapName', 'isSlippery', 'successRate', 'rewardSchedule'];

/** Row and column deltas of LEFT, DOWN, RIGHT, UP. */
const DELTAS: readonly (readonly [number, number])[] = [
  [0, -1],
  [1, 0],
  [0, 1],
  [-1, 0],
];

function resolveDesc(options: FrozenLakeOptions): string[] {
  if (options.desc !== undefined) {
    checkRectangular(options.desc, 'FrozenLake desc');
    const desc = [...options.desc];
    desc.forEach((row, r) => {
      const c = row.search(/[^SFHG]/);
      if (c >= 0) {
        throw new InvalidMapError(
          `FrozenLake desc: row ${r}, column ${c}: unknown tile ${describeValue(row[c])}. ` +
            'Use S (start), F (frozen), H (hole) or G (goal).',
        );
      }
    });
    if (!desc.some((row) => row.includes('S'))) {
      throw new InvalidMapError(
        'FrozenLake desc has no start tile S. Put an S on the cell where episodes begin.',
      );
    }
    return desc;
  }
  const name = options.mapName ?? '4x4';
  if (name !== '4x4' && name !== '8x8') {
    throw new InvalidConfigError(
      `FrozenLake mapName must be '4x4' or '8x8'; received ${describeValue(name)}. ` +
        'For other maps pass desc, e.g. desc: generateRandomMap({ size: 10, seed: 0 }).',
    );
  }

  return [...FROZEN_LAKE_MAPS[name]];
}

function checkNumbers(options: FrozenLakeOptions): void {
  const { isSlippery, successRate, rewardSchedule } = options;
  if (isSlippery !== undefined && typeof isSlippery !== 'boolean') {
    throw new InvalidConfigError(
      `FrozenLake isSlippery must be true or false; received ${describeValue(isSlippery)}.`,
    );
  }
  if (successRate !== undefined && !(successRate >= 0 && successRate <= 1)) {
    throw new InvalidConfigError(
      `FrozenLake successRate must be a probability in [0, 1]; received ` +
        `${describeValue(successRate)}. The default 1/3 is the classic slippery lake.`,
    );
  }
  const schedule: unknown = rewardSchedule;
  if (
    schedule !== undefined &&
    !(Array.isArray(schedule) && schedule.length === 3 && schedule.every(Number.isFinite))
  ) {
    throw new InvalidConfigError(
      `FrozenLake rewardSchedule must be three finite numbers [goal, hole, frozen]; received ` +
        `${describeValue(schedule)}. The default is [1, 0, 0].`,
    );
  }
}

interface BuildArgs {
  desc: string[];
  isSlippery: boolean;
  successRate: number;
  rewardSchedule: readonly [number, number, number];
}

/**
 * Builds `P` exactly as Gymnasium's FrozenLakeEnv: G and H are absorbing (one outcome, reward 0,
 * terminated); elsewhere a slippery move lists the directions `a - 1, a, a + 1` (mod 4), in that
 * order, with probabilities `fail, successRate, fail`, where `fail = (1 - successRate) / 2`.
 * Entries are not merged when two directions lead to the same cell (a wall). Zero-probability
 * entries (successRate 0 or 1) are left out, as the Transition type requires prob \> 0.
 */
function buildTable(args: BuildArgs): TransitionTable {
  const { desc, isSlippery, successRate, rewardSchedule } = args;
  const nrow = desc.length;
  const ncol = desc[0].length;
  const outcome = (row: number, col: number, direction: number, prob: number) => {
    const r = Math.min(Math.max(row + DELTAS[direction][0], 0), nrow - 1);
    const c = Math.min(Math.max(col + DELTAS[direction][1], 0), ncol - 1);
    const tile = desc[r][c];
    const reward = rewardSchedule[tile === 'G' ? 0 : tile === 'H' ? 1 : 2];

    return { prob, nextState: r * ncol + c, reward, terminated: tile === 'G' || tile === 'H' };
  };
  const P: TransitionTable = [];
  for (let row = 0; row < nrow; row++) {
    for (let col = 0; col < ncol; col++) {
      const s = row * ncol + col;
      const absorbing = desc[row][col] === 'G' || desc[row][col] === 'H';
      P[s] = [0, 1, 2, 3].map((a) => {
        if (absorbing) return [{ prob: 1, nextState: s, reward: 0, terminated: true }];
        const moves = slipDirections(a, isSlippery, successRate);
        return moves.map((m) => outcome(row, col, m.direction, m.prob));
      });
    }
  }

  return P;
}

/**
 * FrozenLake: cross a frozen lake from the start S to the goal G without falling into a hole H;
 * the ice is slippery, so the agent may move sideways. Same dynamics as Gymnasium's
 * `FrozenLake-v1` (`gymnasium/envs/toy_text/frozen_lake.py`).
 *
 * **Observation**: `Discrete(nrow * ncol)`; the agent's cell as `row * ncol + col` (ncol, the
 * number of columns, also on non-square maps; see Gymnasium #692). The 4x4 goal is 3 * 4 + 3 = 15.
 *
 * **Action**: `Discrete(4)`: 0 LEFT, 1 DOWN, 2 RIGHT, 3 UP. Moves off the edge stay in place.
 *
 * **Reward**: entering G pays `rewardSchedule[0]` (1), H pays `[1]` (0), any other tile `[2]` (0).
 *
 * **Episode end**: terminated on entering G or H. Truncated by `make`'s time limit: 100 steps
 * for `FrozenLake-v1`, 200 for `FrozenLake8x8-v1`.
 *
 * **Slipping**: with `isSlippery`, the agent moves in the intended direction with probability
 * `successRate` and in each of the two perpendicular directions with `(1 - successRate) / 2`;
 * never backwards (openai/gym #1935). `info.prob` is the probability of the sampled outcome.
 *
 * **Options**: `desc`, `mapName` ('4x4' | '8x8'), `isSlippery` (true), `successRate` (1/3),
 * `rewardSchedule` ([1, 0, 0]); see {@link FrozenLakeOptions}. Several S tiles give a uniform
 * start among them. Unknown options throw InvalidConfigError; bad maps throw InvalidMapError.
 *
 * **Seeding**: `reset({ seed })` reseeds the env's Rng; `reset()` continues the stream.
 * Each slippery step draws one uniform number; a deterministic step draws none.
 *
 * **Version history**: v1 (tsgym 0.1): Gymnasium 1.x FrozenLake-v1 dynamics, with
 * `successRate` and `rewardSchedule`.
 *
 * @example
 * ```ts
 * const env = new FrozenLake({ mapName: '4x4', isSlippery: true });
 * let { observation } = env.reset({ seed: 42 });
 * const step = env.step(FrozenLakeAction.Down);
 * ```
 */
export class FrozenLake extends DiscreteModelEnv {
  /** The map, one string per row. */
  readonly desc: readonly string[];
  /** Number of rows. */
  readonly nrow: number;
  /** Number of columns (state = row * ncol + col). */
  readonly ncol: number;

  /**
   * @param options - see {@link FrozenLakeOptions}.
   * @throws InvalidConfigError for unknown or out-of-range options; InvalidMapError for a
   *   malformed `desc` (ragged rows, unknown tile, no S).
   */
  constructor(options: FrozenLakeOptions = {}) {
    rejectUnknownOptions(options, OPTION_NAMES, 'FrozenLake options');
    checkNumbers(options);
    const desc = resolveDesc(options);
    const P = buildTable({
      desc,
      isSlippery: options.isSlippery ?? true,
      successRate: options.successRate ?? 1 / 3,
      rewardSchedule: options.rewardSchedule ?? [1, 0, 0],
    });
    const starts = desc.join('').split('');
    const nStarts = starts.filter((tile) => tile === 'S').length;
    const initial = Float64Array.from(starts, (tile) => (tile === 'S' ? 1 / nStarts : 0));
    super({ name: 'FrozenLake', P, nActions: 4, initialStateDistribution: initial });
    this.desc = Object.freeze(desc);
    this.nrow = desc.length;
    this.ncol = desc[0].length;
  }

  /** The gridworld frame: tiles are the map itself. */
  override render(): GridworldFrame {
    const s = this.currentState();

    return {
      family: 'gridworld',
      nrow: this.nrow,
      ncol: this.ncol,
      tiles: [...this.desc],
      agent: [Math.floor(s / this.ncol), s % this.ncol],
      lastAction: this.lastAction,
      lastReward: this.lastReward,
    };
  }
}
