import { InvalidActionError, InvalidConfigError, describeValue, type Rng } from '../src/index';
import { epsilonGreedyProbs, softmax, type ActionMask } from './exploration';
import {
  ConstantSchedule,
  ExponentialSchedule,
  LinearSchedule,
  toSchedule,
  type Schedule,
  type ScheduleConfig,
} from './schedules';

/** Position of a policy's schedule clocks; saved in agent checkpoints. */
export interface PolicyState {
  /** Steps counted so far (calls to `advanceStep`). */
  steps: number;
  /** Episodes counted so far (calls to `advanceEpisode`). */
  episodes: number;
}

/** JSON form of a policy's configuration; {@link policyFromJSON} rebuilds the policy. */
export type PolicyConfig =
  | { type: 'epsilon-greedy'; epsilon: ScheduleConfig }
  | { type: 'greedy'; deterministic: boolean }
  | { type: 'softmax'; temperature: ScheduleConfig };

/**
 * Turns one row of action values into an action, and reports the probability of every action.
 * Policies hold no random state: draws come from the {@link Rng} passed in. Their only state is
 * the position of their schedule clocks, advanced by the agent that owns them.
 */
export interface ExplorationPolicy {
  /** Kind, e.g. `'EpsilonGreedy'`. */
  readonly name: string;
  /**
   * Draws an action.
   *
   * @param qValues - one value per action.
   * @param rng - the generator to draw from.
   * @param mask - optional legality mask; a masked action is never returned.
   * @throws InvalidActionError when the mask has the wrong length or allows no action.
   */
  selectAction(qValues: ArrayLike<number>, rng: Rng, mask?: ActionMask): number;
  /**
   * Probability, under the policy at that moment, of the action the last `selectAction` call
   * returned; lets agents log propensities without a second pass over the values.
   */
  readonly lastActionProb: number;
  /**
   * Probability that {@link ExplorationPolicy.selectAction} returns `action`; allocates nothing.
   */
  actionProb(qValues: ArrayLike<number>, action: number, mask?: ActionMask): number;
  /**
   * The probability of every action as a new array that nothing else references (PITFALLS P14):
   * entries in [0, 1], summing to 1, 0 on masked actions.
   */
  actionProbs(qValues: ArrayLike<number>, mask?: ActionMask): Float64Array;
  /** Writes the probabilities into the caller's buffer `out` (for hot loops) and returns it. */
  probsInto(qValues: ArrayLike<number>, out: Float64Array, mask?: ActionMask): Float64Array;
  /** Advances the step clock by one (the agent calls it once per `learn`). */
  advanceStep(): void;
  /** Advances the episode clock by one (the agent calls it once per `endEpisode`). */
  advanceEpisode(): void;
  /** Current scheduled values, e.g. `{ epsilon }`. */
  metrics(): Record<string, number>;
  /** Clock positions, for checkpoints. */
  getState(): PolicyState;
  /** Restores {@link ExplorationPolicy.getState}. */
  setState(state: PolicyState): void;
  /** JSON configuration, rebuilt by {@link policyFromJSON}. */
  toJSON(): PolicyConfig;
}

function checkMaskLength(mask: ActionMask | undefined, n: number): void {
  if (mask !== undefined && mask.length !== n) {
    throw new InvalidActionError(
      `action mask must have one entry per action (${n}); received length ${mask.length} ` +
        `(${describeValue(mask)}). Build info.actionMask with actionSpace.n entries.`,
    );
  }
}

function noLegalAction(mask: ActionMask | undefined): InvalidActionError {
  return new InvalidActionError(
    `action mask allows no action (received ${describeValue(mask)}); at least one entry ` +
      'must be 1. Check how the env builds info.actionMask.',
  );
}

/** Schedule clocks shared by every policy. */
abstract class ClockedPolicy {
  protected steps = 0;
  protected episodes = 0;

  /** Advances the step clock by one. */
  advanceStep(): void {
    this.steps++;
  }

  /** Advances the episode clock by one. */
  advanceEpisode(): void {
    this.episodes++;
  }

  /** Clock positions. */
  getState(): PolicyState {
    return { steps: this.steps, episodes: this.episodes };
  }

  /**
   * Restores clock positions.
   *
   * @throws InvalidConfigError when a counter is not a non-negative integer.
   */
  setState(state: PolicyState): void {
    for (const key of ['steps', 'episodes'] as const) {
      const v = (state as Partial<PolicyState> | null)?.[key];
      if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
        throw new InvalidConfigError(
          `policy state.${key} must be a non-negative integer; received ${describeValue(v)}. ` +
            'Pass an object returned by policy.getState().',
        );
      }
    }
    this.steps = state.steps;
    this.episodes = state.episodes;
  }

  /** The schedule's value at the clock it counts. */
  protected at(schedule: Schedule): number {
    return schedule.value(schedule.unit === 'episode' ? this.episodes : this.steps);
  }
}

/** Checks the end points of a schedule (the known schedules are monotone between them). */
function checkScheduleRange(
  schedule: Schedule,
  name: string,
  ok: (v: number) => boolean,
  expected: string,
): void {
  let points: number[];
  if (schedule instanceof ConstantSchedule) points = [schedule.constant];
  else if (schedule instanceof LinearSchedule || schedule instanceof ExponentialSchedule) {
    points = [schedule.start, schedule.end];
  } else points = [schedule.value(0)];
  for (const v of points) {
    if (!ok(v)) {
      throw new InvalidConfigError(
        `${name} must stay ${expected}; its schedule reaches ${describeValue(v)} ` +
          `(${describeValue(schedule.toJSON())}). Fix the start and end values.`,
      );
    }
  }
}

/** Options of {@link EpsilonGreedyPolicy}. */
export interface EpsilonGreedyOptions {
  /**
   * Probability of a uniformly random legal action, in [0, 1] (Sutton and Barto, section 2.2;
   * PITFALLS P9): a number, a {@link Schedule} or a schedule config. @defaultValue 0.1
   */
  epsilon?: number | Schedule | ScheduleConfig;
}

/**
 * Epsilon-greedy (Sutton and Barto, section 2.2): with probability epsilon a uniformly random
 * legal action, otherwise a greedy action with ties broken uniformly at random (PITFALLS P8).
 * So with k legal actions and one greedy action, the greedy action's probability is
 * 1 - epsilon + epsilon / k (PITFALLS P9): epsilon = 0.1 and k = 2 give 0.95, never 0.1.
 * Epsilon may follow a schedule counted in steps or episodes.
 *
 * @example
 * ```ts
 * const policy = new EpsilonGreedyPolicy({
 *   epsilon: { type: 'linear', start: 1, end: 0.05, duration: 10_000 },
 * });
 * const action = policy.selectAction([0, 1, 0.5], rng);
 * ```
 */
export class EpsilonGreedyPolicy extends ClockedPolicy implements ExplorationPolicy {
  /** `'EpsilonGreedy'`. */
  readonly name = 'EpsilonGreedy';
  /** The epsilon schedule. */
  readonly schedule: Schedule;
  /** Probability of the action returned by the last `selectAction` call. */
  lastActionProb = 0;

  /** @throws InvalidConfigError when epsilon leaves [0, 1] or is not a number or schedule. */
  constructor(options: EpsilonGreedyOptions = {}) {
    super();
    this.schedule = toSchedule(options.epsilon ?? 0.1, 'epsilon');
    checkScheduleRange(this.schedule, 'epsilon', (v) => v >= 0 && v <= 1, 'in [0, 1]');
  }

  /** Epsilon at the current clock position. */
  get epsilon(): number {
    return this.at(this.schedule);
  }

  /**
   * Draws an epsilon-greedy action (see the class description) in one pass over `qValues`:
   * one uniform decides explore or exploit, a second picks among the legal or the tied greedy
   * actions (drawn only when there is more than one). Sets {@link EpsilonGreedyPolicy.lastActionProb}.
   */
  selectAction(qValues: ArrayLike<number>, rng: Rng, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    let legal = 0;
    let ties = 0;
    let best = -Infinity;
    let first = -1;
    for (let a = 0; a < qValues.length; a++) {
      if (mask && !mask[a]) continue;
      legal++;
      const v = qValues[a];
      if (v > best || ties === 0) {
        best = v;
        ties = 1;
        first = a;
      } else if (v === best) ties++;
    }
    if (legal === 0) throw noLegalAction(mask);
    const eps = this.epsilon;
    let action: number;
    if (rng.random() < eps) action = nthLegal(qValues.length, mask, rng.int(legal));
    else action = ties === 1 ? first : nthTied(qValues, mask, best, rng.int(ties));
    this.lastActionProb = eps / legal + (qValues[action] === best ? (1 - eps) / ties : 0);

    return action;
  }

  /** epsilon / k for every legal action, plus (1 - epsilon) / ties for each greedy one. */
  actionProb(qValues: ArrayLike<number>, action: number, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    if (mask && !mask[action]) return 0;
    let legal = 0;
    let best = -Infinity;
    let ties = 0;
    for (let a = 0; a < qValues.length; a++) {
      if (mask && !mask[a]) continue;
      legal++;
      const v = qValues[a];
      if (v > best) {
        best = v;
        ties = 1;
      } else if (v === best) ties++;
    }
    if (legal === 0) throw noLegalAction(mask);
    const eps = this.epsilon;

    return eps / legal + (qValues[action] === best ? (1 - eps) / ties : 0);
  }

  /** A fresh pmf (PITFALLS P14): e.g. eps 0.4, 4 actions, greedy 2 gives [0.1, 0.1, 0.7, 0.1]. */
  actionProbs(qValues: ArrayLike<number>, mask?: ActionMask): Float64Array {
    return this.probsInto(qValues, new Float64Array(qValues.length), mask);
  }

  /** Writes the pmf into `out`. */
  probsInto(qValues: ArrayLike<number>, out: Float64Array, mask?: ActionMask): Float64Array {
    checkMaskLength(mask, qValues.length);
    return epsilonGreedyProbs(qValues, this.epsilon, out, mask);
  }

  /** `{ epsilon }`. */
  metrics(): Record<string, number> {
    return { epsilon: this.epsilon };
  }

  /** `{ type: 'epsilon-greedy', epsilon }`. */
  toJSON(): PolicyConfig {
    return { type: 'epsilon-greedy', epsilon: this.schedule.toJSON() };
  }
}

/** Options of {@link GreedyPolicy}. */
export interface GreedyOptions {
  /**
   * When true, ties go to the lowest action index (no randomness drawn); when false, ties are
   * broken uniformly at random (PITFALLS P8). @defaultValue false
   */
  deterministic?: boolean;
}

/**
 * Always a greedy action. Ties are broken uniformly at random unless `deterministic: true`:
 * agents use this policy for evaluation (`act(..., explore = false)`), so evaluation-mode
 * greedy also breaks ties at random by default (PITFALLS P8), because a first-index rule can
 * trap a barely trained agent against a wall.
 */
export class GreedyPolicy extends ClockedPolicy implements ExplorationPolicy {
  /** `'Greedy'`. */
  readonly name = 'Greedy';
  /** Ties to the lowest index instead of at random. */
  readonly deterministic: boolean;
  /** Probability of the action returned by the last `selectAction` call. */
  lastActionProb = 0;

  /** @throws InvalidConfigError when `deterministic` is not a boolean. */
  constructor(options: GreedyOptions = {}) {
    super();
    const deterministic = options.deterministic ?? false;
    if (typeof deterministic !== 'boolean') {
      throw new InvalidConfigError(
        `deterministic must be true or false; received ${describeValue(deterministic)}.`,
      );
    }
    this.deterministic = deterministic;
  }

  /** A greedy legal action; draws a uniform only when several actions tie. */
  selectAction(qValues: ArrayLike<number>, rng: Rng, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    let ties = 0;
    let best = -Infinity;
    let first = -1;
    for (let a = 0; a < qValues.length; a++) {
      if (mask && !mask[a]) continue;
      const v = qValues[a];
      if (v > best || ties === 0) {
        best = v;
        ties = 1;
        first = a;
      } else if (v === best) ties++;
    }
    if (first < 0) throw noLegalAction(mask);
    if (this.deterministic || ties === 1) {
      this.lastActionProb = this.deterministic ? 1 : 1 / ties;
      return first;
    }
    this.lastActionProb = 1 / ties;

    return nthTied(qValues, mask, best, rng.int(ties));
  }

  /** 1 / ties for each greedy action (1 for the lowest one when deterministic), else 0. */
  actionProb(qValues: ArrayLike<number>, action: number, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    if (mask && !mask[action]) return 0;
    let best = -Infinity;
    let ties = 0;
    let first = -1;
    for (let a = 0; a < qValues.length; a++) {
      if (mask && !mask[a]) continue;
      if (first < 0 || qValues[a] > best) {
        best = qValues[a];
        ties = 1;
        first = a;
      } else if (qValues[a] === best) ties++;
    }
    if (first < 0) throw noLegalAction(mask);
    if (this.deterministic) return action === first ? 1 : 0;

    return qValues[action] === best ? 1 / ties : 0;
  }

  /** A fresh pmf, uniform over the greedy actions (one-hot when deterministic). */
  actionProbs(qValues: ArrayLike<number>, mask?: ActionMask): Float64Array {
    return this.probsInto(qValues, new Float64Array(qValues.length), mask);
  }

  /** Writes the pmf into `out`. */
  probsInto(qValues: ArrayLike<number>, out: Float64Array, mask?: ActionMask): Float64Array {
    checkMaskLength(mask, qValues.length);
    const max = legalMax(qValues, mask);
    let first = -1;
    let ties = 0;
    for (let a = 0; a < qValues.length; a++) {
      if ((!mask || mask[a]) && qValues[a] === max) {
        if (first < 0) first = a;
        ties++;
      }
    }
    for (let a = 0; a < qValues.length; a++) {
      const greedy = (!mask || mask[a]) && qValues[a] === max;
      if (this.deterministic) out[a] = a === first ? 1 : 0;
      else out[a] = greedy ? 1 / ties : 0;
    }
    return out;
  }

  /** Nothing is scheduled: `{}`. */
  metrics(): Record<string, number> {
    return {};
  }

  /** `{ type: 'greedy', deterministic }`. */
  toJSON(): PolicyConfig {
    return { type: 'greedy', deterministic: this.deterministic };
  }
}

/** Options of {@link SoftmaxPolicy}. */
export interface SoftmaxOptions {
  /**
   * Boltzmann temperature \> 0 (higher is more uniform): a number, a {@link Schedule} or a
   * schedule config. @defaultValue 1
   */
  temperature?: number | Schedule | ScheduleConfig;
}

/**
 * Boltzmann (softmax) exploration (Sutton and Barto, section 13.1; Sutton 1990):
 * P(a) = exp(Q(a) / T) / sum over legal b of exp(Q(b) / T). Computed stably by subtracting the
 * largest legal value first (PITFALLS P12), so it never overflows even for tiny T; masked
 * actions get probability 0. Sampling allocates nothing.
 */
export class SoftmaxPolicy extends ClockedPolicy implements ExplorationPolicy {
  /** `'Softmax'`. */
  readonly name = 'Softmax';
  /** The temperature schedule. */
  readonly schedule: Schedule;
  /** Probability of the action returned by the last `selectAction` call. */
  lastActionProb = 0;

  /** @throws InvalidConfigError when the temperature is not \> 0. */
  constructor(options: SoftmaxOptions = {}) {
    super();
    this.schedule = toSchedule(options.temperature ?? 1, 'temperature');
    checkScheduleRange(this.schedule, 'temperature', (v) => v > 0, '> 0');
  }

  /** Temperature at the current clock position. */
  get temperature(): number {
    return this.at(this.schedule);
  }

  /** Draws an action with the Boltzmann probabilities, by inverse transform on one uniform. */
  selectAction(qValues: ArrayLike<number>, rng: Rng, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    const t = this.temperature;
    const max = legalMax(qValues, mask);
    let sum = 0;
    for (let a = 0; a < qValues.length; a++) {
      if (!mask || mask[a]) sum += Math.exp((qValues[a] - max) / t);
    }
    let u = rng.random() * sum;
    let last = -1;
    for (let a = 0; a < qValues.length; a++) {
      if (mask && !mask[a]) continue;
      const w = Math.exp((qValues[a] - max) / t);
      u -= w;
      if (w > 0) last = a;
      if (u < 0 && w > 0) break;
    }
    // `last` is the action where u went negative, or (through rounding only) the last legal one.
    this.lastActionProb = Math.exp((qValues[last] - max) / t) / sum;

    return last;
  }

  /** The Boltzmann probability of `action`. */
  actionProb(qValues: ArrayLike<number>, action: number, mask?: ActionMask): number {
    checkMaskLength(mask, qValues.length);
    if (mask && !mask[action]) return 0;
    const t = this.temperature;
    const max = legalMax(qValues, mask);
    let sum = 0;
    for (let a = 0; a < qValues.length; a++) {
      if (!mask || mask[a]) sum += Math.exp((qValues[a] - max) / t);
    }

    return Math.exp((qValues[action] - max) / t) / sum;
  }

  /** A fresh pmf. */
  actionProbs(qValues: ArrayLike<number>, mask?: ActionMask): Float64Array {
    return this.probsInto(qValues, new Float64Array(qValues.length), mask);
  }

  /** Writes the pmf into `out`. */
  probsInto(qValues: ArrayLike<number>, out: Float64Array, mask?: ActionMask): Float64Array {
    checkMaskLength(mask, qValues.length);
    return softmax(qValues, this.temperature, out, mask);
  }

  /** `{ temperature }`. */
  metrics(): Record<string, number> {
    return { temperature: this.temperature };
  }

  /** `{ type: 'softmax', temperature }`. */
  toJSON(): PolicyConfig {
    return { type: 'softmax', temperature: this.schedule.toJSON() };
  }
}

/** The `k`-th (from 0) legal action. */
function nthLegal(n: number, mask: ActionMask | undefined, k: number): number {
  if (!mask) return k;
  for (let a = 0; a < n; a++) if (mask[a] && k-- === 0) return a;
  return -1; // unreachable: k < number of legal actions
}

/** The `k`-th (from 0) legal action whose value equals `best`. */
function nthTied(
  qValues: ArrayLike<number>,
  mask: ActionMask | undefined,
  best: number,
  k: number,
): number {
  for (let a = 0; a < qValues.length; a++) {
    if ((!mask || mask[a]) && qValues[a] === best && k-- === 0) return a;
  }
  return -1; // unreachable: k < number of ties
}

function legalMax(values: ArrayLike<number>, mask: ActionMask | undefined): number {
  let max = -Infinity;
  let legal = 0;
  for (let a = 0; a < values.length; a++) {
    if (mask && !mask[a]) continue;
    legal++;
    if (values[a] > max) max = values[a];
  }
  if (legal === 0) throw noLegalAction(mask);
  return max;
}

/**
 * Rebuilds a policy from {@link ExplorationPolicy.toJSON} (clock positions are not part of the
 * config; restore them with `setState`).
 *
 * @throws InvalidConfigError for an unknown `type` or a bad parameter.
 */
export function policyFromJSON(config: PolicyConfig): ExplorationPolicy {
  switch ((config as { type?: unknown } | null)?.type) {
    case 'epsilon-greedy':
      return new EpsilonGreedyPolicy({ epsilon: (config as { epsilon: ScheduleConfig }).epsilon });
    case 'greedy':
      return new GreedyPolicy({
        deterministic: (config as { deterministic: boolean }).deterministic,
      });
    case 'softmax':
      return new SoftmaxPolicy({
        temperature: (config as { temperature: ScheduleConfig }).temperature,
      });
    default:
      throw new InvalidConfigError(
        `policy config type must be 'epsilon-greedy', 'greedy' or 'softmax'; received ` +
          `${describeValue(config)}.`,
      );
  }
}
