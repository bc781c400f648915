import { InvalidConfigError, describeValue, rejectUnknownOptions } from '../../src/index';
import type { Transition } from '../../src/index';
import { DiscreteModelEnv, type GridworldFrame, type TransitionTable } from './discrete-env';

/** CliffWalking's actions, in Gymnasium's order (not FrozenLake's). */
export const CliffWalkingAction = Object.freeze({ Up: 0, Right: 1, Down: 2, Left: 3 } as const);

/** Options of {@link CliffWalking}. */
export interface CliffWalkingOptions {
  /** Whether moves can slip to a perpendicular direction (1/3 each). @defaultValue false */
  isSlippery?: boolean;
}

const NROW = 4;
const NCOL = 12;
/** Start (3, 0) and goal (3, 11), as in Sutton and Barto, Example 6.6. */
const START = 36;
const GOAL = 47;

/** Row and column deltas of UP, RIGHT, DOWN, LEFT. */
const DELTAS: readonly (readonly [number, number])[] = [
  [-1, 0],
  [0, 1],
  [1, 0],
  [0, -1],
];

const isCliff = (row: number, col: number) => row === NROW - 1 && col >= 1 && col <= NCOL - 2;

function outcome(state: number, direction: number, prob: number): Transition {
  const row = Math.min(Math.max(Math.floor(state / NCOL) + DELTAS[direction][0], 0), NROW - 1);
  const col = Math.min(Math.max((state % NCOL) + DELTAS[direction][1], 0), NCOL - 1);
  if (isCliff(row, col)) return { prob, nextState: START, reward: -100, terminated: false };
  const nextState = row * NCOL + col;

  return { prob, nextState, reward: -1, terminated: nextState === GOAL };
}

/**
 * Builds `P` exactly as Gymnasium 1.x's CliffWalkingEnv, including its quirk that every state
 * (also the goal and the cliff cells, which an episode never occupies) gets ordinary move
 * outcomes: the goal is terminal through the `terminated` flag of the moves that enter it.
 * Slippery moves list directions `a - 1, a, a + 1` (mod 4), 1/3 each.
 */
function buildTable(isSlippery: boolean): TransitionTable {
  const P: TransitionTable = [];
  for (let s = 0; s < NROW * NCOL; s++) {
    P[s] = [0, 1, 2, 3].map((a) =>
      isSlippery
        ? [(a + 3) % 4, a, (a + 1) % 4].map((b) => outcome(s, b, 1 / 3))
        : [outcome(s, a, 1)],
    );
  }

  return P;
}

/**
 * CliffWalking: walk from the bottom-left corner to the bottom-right goal of a 4x12 grid along
 * a cliff; stepping off the cliff costs -100 and sends the agent back to the start.
 * Sutton and Barto (2018), Example 6.6; same dynamics as Gymnasium's `CliffWalking-v1`
 * (`gymnasium/envs/toy_text/cliffwalking.py`).
 *
 * **Observation**: `Discrete(48)`, the cell `row * 12 + col`. The start is 36 (3, 0), the
 * goal 47 (3, 11); the cliff is 37..46 and is never observed (falling returns to 36).
 *
 * **Action**: `Discrete(4)`: 0 UP, 1 RIGHT, 2 DOWN, 3 LEFT. Moves off the edge stay in place.
 *
 * **Reward**: -1 per step; -100 for a step into the cliff (the agent lands on 36, not terminal).
 * The optimal return is -13 (the path just above the cliff).
 *
 * **Episode end**: terminated on entering the goal 47. Truncated by `make`'s time limit of
 * 200 steps: our choice, since Gymnasium registers `CliffWalking-v1` without one and every
 * tsgym id needs a limit (200 is well above the 13-step optimum and a safe path's 17 steps).
 *
 * **Options**: `isSlippery` (false): with it, the intended move and each perpendicular move
 * have probability 1/3, as in Gymnasium 1.x (`CliffWalkingSlippery-v1`). Unknown options throw
 * InvalidConfigError.
 *
 * **Seeding**: `reset({ seed })` reseeds; `reset()` continues the stream. Only slippery steps
 * draw random numbers (one each).
 *
 * **Version history**: v1 (tsgym 0.1): Gymnasium 1.x CliffWalking-v1, with the slippery variant.
 *
 * @example
 * ```ts
 * const env = new CliffWalking();
 * env.reset({ seed: 0 });
 * env.step(CliffWalkingAction.Right); // into the cliff: reward -100, back at 36
 * ```
 */
export class CliffWalking extends DiscreteModelEnv {
  /** Whether moves slip. */
  readonly isSlippery: boolean;

  /**
   * @param options - see {@link CliffWalkingOptions}.
   * @throws InvalidConfigError for an unknown option or a non-boolean `isSlippery`.
   */
  constructor(options: CliffWalkingOptions = {}) {
    rejectUnknownOptions(options, ['isSlippery'], 'CliffWalking options');
    const isSlippery = options.isSlippery ?? false;
    if (typeof isSlippery !== 'boolean') {
      throw new InvalidConfigError(
        `CliffWalking isSlippery must be true or false; received ${describeValue(isSlippery)}.`,
      );
    }
    const initial = new Float64Array(NROW * NCOL);
    initial[START] = 1;
    super({
      name: 'CliffWalking',
      P: buildTable(isSlippery),
      nActions: 4,
      initialStateDistribution: initial,
    });
    this.isSlippery = isSlippery;
  }

  /**
   * The gridworld frame. Tiles: `.` open ground, `S` start, `G` goal, `H` the cliff (not
   * terminal: -100 and back to S; `extra.cliff` says so).
   */
  override render(): GridworldFrame {
    const s = this.currentState();
    const open = '.'.repeat(NCOL);

    return {
      family: 'gridworld',
      nrow: NROW,
      ncol: NCOL,
      tiles: [open, open, open, 'S' + 'H'.repeat(NCOL - 2) + 'G'],
      agent: [Math.floor(s / NCOL), s % NCOL],
      lastAction: this.lastAction,
      lastReward: this.lastReward,
      extra: { cliff: { tile: 'H', reward: -100, returnsTo: [3, 0], terminal: false } },
    };
  }
}
