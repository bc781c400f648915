import { InvalidConfigError, describeValue, rejectUnknownOptions } from '../../src/index';
import type { Transition } from '../../src/index';
import { DiscreteModelEnv, type GridworldFrame, type TransitionTable } from './discrete-env';

/** Taxi's actions, in Gymnasium's order. */
export const TaxiAction = Object.freeze({
  South: 0,
  North: 1,
  East: 2,
  West: 3,
  Pickup: 4,
  Dropoff: 5,
} as const);

/** A decoded Taxi state. */
export interface TaxiState {
  /** Taxi row, 0..4 (0 at the top). */
  taxiRow: number;
  /** Taxi column, 0..4. */
  taxiCol: number;
  /** Passenger location: 0 R, 1 G, 2 Y, 3 B (a depot), 4 in the taxi. */
  passengerLocation: number;
  /** Destination depot: 0 R, 1 G, 2 Y, 3 B. */
  destination: number;
}

/** Dietterich's map; `:` lets the taxi pass, `|` is a wall between two cells. */
const MAP = Object.freeze([
  '+---------+',
  '|R: | : :G|',
  '| : | : : |',
  '| : : : : |',
  '| | : | : |',
  '|Y| : |B: |',
  '+---------+',
]);

/** The depots R, G, Y, B as `[row, col]`. */
const DEPOTS: readonly (readonly [number, number])[] = Object.freeze([
  [0, 0],
  [0, 4],
  [4, 0],
  [4, 3],
]);
const IN_TAXI = 4;
const SIZE = 5;

/**
 * The state index `((taxiRow * 5 + taxiCol) * 5 + passengerLocation) * 4 + destination`,
 * Gymnasium's Taxi encoding.
 *
 * @param taxiRow - 0..4, 0 at the top.
 * @param taxiCol - 0..4.
 * @param passengerLocation - 0..3 a depot (R, G, Y, B), 4 in the taxi.
 * @param destination - 0..3.
 * @returns an integer in [0, 500).
 * @throws InvalidConfigError when a component is out of range.
 */
export function encodeTaxi(
  taxiRow: number,
  taxiCol: number,
  passengerLocation: number,
  destination: number,
): number {
  const parts = { taxiRow, taxiCol, passengerLocation, destination };
  const limits = { taxiRow: 5, taxiCol: 5, passengerLocation: 5, destination: 4 };
  for (const [key, value] of Object.entries(parts)) {
    const limit = limits[key as keyof typeof limits];
    if (!Number.isInteger(value) || value < 0 || value >= limit) {
      throw new InvalidConfigError(
        `Taxi encode: ${key} must be an integer in [0, ${limit - 1}]; received ` +
          `${describeValue(value)}.`,
      );
    }
  }

  return ((taxiRow * SIZE + taxiCol) * 5 + passengerLocation) * 4 + destination;
}

/**
 * The inverse of {@link encodeTaxi}.
 *
 * @param state - an integer in [0, 500).
 * @throws InvalidConfigError for anything else.
 */
export function decodeTaxi(state: number): TaxiState {
  if (!Number.isInteger(state) || state < 0 || state >= 500) {
    throw new InvalidConfigError(
      `Taxi decode: state must be an integer in [0, 499]; received ${describeValue(state)}.`,
    );
  }
  const destination = state % 4;
  const passengerLocation = Math.floor(state / 4) % 5;
  const taxiCol = Math.floor(state / 20) % 5;
  const taxiRow = Math.floor(state / 100);

  return { taxiRow, taxiCol, passengerLocation, destination };
}

const canGoEast = (row: number, col: number) => MAP[1 + row][2 * col + 2] === ':';
const canGoWest = (row: number, col: number) => MAP[1 + row][2 * col] === ':';
const depotAt = (row: number, col: number) => DEPOTS.findIndex(([r, c]) => r === row && c === col);

/** One deterministic outcome, as Gymnasium's dry (not rainy) Taxi transitions. */
function outcome(state: TaxiState, action: number): Transition {
  const { taxiRow: row, taxiCol: col, passengerLocation: pass, destination: dest } = state;
  let [newRow, newCol, newPass, reward, terminated] = [row, col, pass, -1, false];
  const depot = depotAt(row, col);
  if (action === 0) newRow = Math.min(row + 1, SIZE - 1);
  else if (action === 1) newRow = Math.max(row - 1, 0);
  else if (action === 2 && canGoEast(row, col)) newCol = Math.min(col + 1, SIZE - 1);
  else if (action === 3 && canGoWest(row, col)) newCol = Math.max(col - 1, 0);
  else if (action === 4) {
    if (pass < IN_TAXI && depot === pass) newPass = IN_TAXI;
    else reward = -10;
  } else if (action === 5) {
    // At the destination: delivered. At another depot: the passenger gets out there (-1).
    if (pass === IN_TAXI && depot === dest) [newPass, reward, terminated] = [dest, 20, true];
    else if (pass === IN_TAXI && depot >= 0) newPass = depot;
    else reward = -10;
  }
  const nextState = encodeTaxi(newRow, newCol, newPass, dest);

  return { prob: 1, nextState, reward, terminated };
}

function buildTable(): TransitionTable {
  const P: TransitionTable = [];
  for (let s = 0; s < 500; s++) {
    const state = decodeTaxi(s);
    P[s] = [0, 1, 2, 3, 4, 5].map((a) => [outcome(state, a)]);
  }

  return P;
}

/** Gymnasium's `action_mask`: 1 where the action changes the state. */
function actionMask(s: number): readonly number[] {
  const { taxiRow: row, taxiCol: col, passengerLocation: pass } = decodeTaxi(s);
  const depot = depotAt(row, col);

  return Object.freeze([
    row < SIZE - 1 ? 1 : 0,
    row > 0 ? 1 : 0,
    col < SIZE - 1 && canGoEast(row, col) ? 1 : 0,
    col > 0 && canGoWest(row, col) ? 1 : 0,
    pass < IN_TAXI && depot === pass ? 1 : 0,
    pass === IN_TAXI && depot >= 0 ? 1 : 0,
  ]);
}

/** The action mask of every state, frozen and shared by all Taxi instances. */
const MASKS = Object.freeze(Array.from({ length: 500 }, (_, s) => actionMask(s)));

/** Start states: the 300 with the passenger at a depot other than the destination. */
function initialDistribution(): Float64Array {
  const initial = new Float64Array(500);
  for (let s = 0; s < 500; s++) {
    const { passengerLocation, destination } = decodeTaxi(s);
    if (passengerLocation < IN_TAXI && passengerLocation !== destination) initial[s] = 1 / 300;
  }

  return initial;
}

/**
 * Taxi: drive to the passenger, pick them up, drive to their destination and drop them off.
 * Dietterich (2000), "Hierarchical Reinforcement Learning with the MAXQ Value Function
 * Decomposition", JAIR 13; same dynamics as Gymnasium's `Taxi-v3` (`taxi.py`, without its
 * optional rainy and fickle-passenger variants).
 *
 * **Observation**: `Discrete(500)`, the state index
 * `((taxiRow * 5 + taxiCol) * 5 + passengerLocation) * 4 + destination`; depots 0 R (0,0), 1 G (0,4), 2 Y (4,0), 3 B (4,3); passenger location 4 means
 * in the taxi. {@link Taxi.encode} and {@link Taxi.decode} convert.
 *
 * **Action**: `Discrete(6)`: 0 south, 1 north, 2 east, 3 west, 4 pickup, 5 drop-off. Moving into
 * a wall or the edge leaves the taxi in place (-1).
 *
 * **Reward**: -1 per step; -10 for a pickup where the passenger is not, or a drop-off with no
 * passenger aboard or away from every depot; +20 for the drop-off at the destination. A drop-off
 * at another depot leaves the passenger there (-1).
 *
 * **Episode end**: terminated by the successful drop-off. Truncated after 200 steps by `make`.
 * `info.actionMask` (6 entries, 1 = the action changes the state) is Gymnasium's action_mask.
 *
 * **Starting state**: uniform over the 300 states with the passenger waiting at a depot other
 * than the destination, so no episode starts solved (PITFALLS P7, openai/gym #72).
 *
 * **Options**: none; any option throws InvalidConfigError.
 *
 * **Seeding**: `reset({ seed })` reseeds; each reset draws one uniform number; steps draw none.
 *
 * **Version history**: v3 (tsgym 0.1): Gymnasium's Taxi-v3 map, rewards and action mask.
 *
 * @example
 * ```ts
 * const env = new Taxi();
 * const { observation, info } = env.reset({ seed: 7 });
 * const { taxiRow, taxiCol, passengerLocation, destination } = env.decode(observation);
 * ```
 */
export class Taxi extends DiscreteModelEnv {
  /**
   * @param options - none are accepted; present for a uniform factory signature.
   * @throws InvalidConfigError for any option.
   */
  constructor(options: object = {}) {
    rejectUnknownOptions(options, [], 'Taxi options');
    super({
      name: 'Taxi',
      P: buildTable(),
      nActions: 6,
      initialStateDistribution: initialDistribution(),
      info: (state, prob) => ({ prob, actionMask: MASKS[state] }),
    });
  }

  /** See {@link encodeTaxi}. */
  encode(taxiRow: number, taxiCol: number, passengerLocation: number, destination: number): number {
    return encodeTaxi(taxiRow, taxiCol, passengerLocation, destination);
  }

  /** See {@link decodeTaxi}. */
  decode(state: number): TaxiState {
    return decodeTaxi(state);
  }

  /**
   * The action mask of `state` (frozen, shared): 1 where the action changes the state.
   *
   * @throws InvalidConfigError when `state` is not in [0, 500).
   */
  actionMask(state: number): readonly number[] {
    decodeTaxi(state);

    return MASKS[state];
  }

  /**
   * The gridworld frame: tiles show the depots R G Y B; `extra` gives the passenger location
   * (0..3 a depot, 4 in the taxi), the destination depot, the depot cells, and the ASCII map
   * whose `|` marks walls.
   */
  override render(): GridworldFrame {
    const { taxiRow, taxiCol, passengerLocation, destination } = decodeTaxi(this.currentState());

    return {
      family: 'gridworld',
      nrow: SIZE,
      ncol: SIZE,
      tiles: ['R...G', '.....', '.....', '.....', 'Y..B.'],
      agent: [taxiRow, taxiCol],
      lastAction: this.lastAction,
      lastReward: this.lastReward,
      extra: {
        passengerLocation,
        destination,
        locations: DEPOTS.map(([r, c]) => [r, c]),
        map: [...MAP],
      },
    };
  }
}
