import {
  InvalidConfigError,
  Rng,
  describeValue,
  rejectUnknownOptions,
  type ActResult,
  type Agent,
  type Experience,
  type Info,
  type RngState,
} from '../../src/index';
import { AscentOptimizer } from './optim';
import {
  LinearSoftmaxPolicy,
  greedyAction,
  logProbCoefficients,
  maskedSoftmax,
  sampleAction,
} from './policy';
import { checkReward, checkUnitInterval } from './reinforce';
import { normalizeReturns, rewardToGo } from './returns';

/** Options of {@link FactorisedReinforceAgent}. */
export interface FactorisedReinforceOptions {
  /** Features per row (per customer). */
  nFeatures: number;
  /** Actions per row. */
  nActions: number;
  /** Adam step size. @defaultValue 0.02 */
  learningRate?: number;
  /** Discount over weeks, per row. @defaultValue 0 */
  gamma?: number;
  /** Z-score the per-row returns over the whole episode (PITFALLS P10). @defaultValue true */
  normalizeReturns?: boolean;
  /** Weight of the entropy bonus. @defaultValue 0 */
  entropyCoef?: number;
  /** Draws the actions. @defaultValue a `new Rng()` seeded from OS entropy */
  rng?: Rng;
}

const OPTIONS = [
  'nFeatures',
  'nActions',
  'learningRate',
  'gamma',
  'normalizeReturns',
  'entropyCoef',
  'rng',
];

/**
 * A factorised policy for population envs: the same linear softmax policy acts on every row of
 * the feature matrix independently, `pi(a | X) = prod_i pi(a_i | x_i)`, so
 * `grad log pi(a | X) = sum_i grad log pi(a_i | x_i)`. With per-row rewards
 * (`info.customerRewards`) each row's score is weighted by that row's own reward-to-go, the
 * usual variance reduction for factorised actions; without them every row gets the total.
 * Updated by REINFORCE at the end of each episode.
 *
 * Budget: when `info.emailBudget` is set, rows beyond the budget whose sampled action is not 0
 * are set to 0, keeping the rows with the highest probability of a non-zero action.
 * TODO(#3): the gradient ignores this truncation of the sampled actions.
 * `actionProb` is null: the joint probability of thousands of rows underflows.
 */
export class FactorisedReinforceAgent implements Agent<Float32Array, Int32Array> {
  readonly name = 'FactorisedReinforce';
  /** The shared per-row policy. */
  readonly policy: LinearSoftmaxPolicy;
  private readonly options: FactorisedReinforceOptions;
  private readonly optimizer: AscentOptimizer;
  private rng: Rng;
  private weeks: {
    observation: Float32Array;
    actions: Int32Array;
    rewards: Float64Array;
    mask?: ArrayLike<number>;
  }[] = [];
  private readonly logits: Float64Array;
  private readonly probs: Float64Array;
  private readonly logProbs: Float64Array;

  /**
   * @param options - see {@link FactorisedReinforceOptions}.
   * @throws InvalidConfigError for unknown options or out-of-range values.
   */
  constructor(options: FactorisedReinforceOptions) {
    rejectUnknownOptions(options, OPTIONS, 'FactorisedReinforceAgent options');
    this.options = options;
    checkUnitInterval(options.gamma ?? 0, 'gamma');
    this.policy = new LinearSoftmaxPolicy(options.nFeatures, options.nActions);
    const lr = options.learningRate ?? 0.02;
    this.optimizer = new AscentOptimizer(this.policy.params.length, 'adam', lr);
    this.rng = options.rng ?? new Rng();
    this.logits = new Float64Array(options.nActions);
    this.probs = new Float64Array(options.nActions);
    this.logProbs = new Float64Array(options.nActions);
  }

  config(): Record<string, unknown> {
    const { rng: _rng, ...rest } = this.options;
    return { ...rest, policy: this.policy.config() };
  }

  private rows(observation: Float32Array): number {
    const f = this.options.nFeatures;
    if (observation.length % f !== 0) {
      throw new InvalidConfigError(
        `observation length ${observation.length} is not a multiple of nFeatures ${f}; ` +
          'pass the population feature matrix, row-major.',
      );
    }
    return observation.length / f;
  }

  private rowProbs(observation: Float32Array, i: number, mask?: ArrayLike<number>): void {
    const f = this.options.nFeatures;
    const n = this.options.nActions;
    const x = observation.subarray(i * f, (i + 1) * f);
    this.policy.checkObservation(x);
    this.policy.logits(x, this.logits);
    const m = mask ? Array.prototype.slice.call(mask, i * n, (i + 1) * n) : undefined;
    maskedSoftmax(this.logits, this.probs, this.logProbs, m as number[] | undefined);
  }

  act(observation: Float32Array, info: Info, explore: boolean): ActResult<Int32Array> {
    const rows = this.rows(observation);
    const mask = info.actionMask as ArrayLike<number> | undefined;
    const actions = new Int32Array(rows);
    const mailScore = new Float64Array(rows);
    for (let i = 0; i < rows; i++) {
      this.rowProbs(observation, i, mask);
      actions[i] = explore ? sampleAction(this.probs, this.rng) : greedyAction(this.probs);
      mailScore[i] = 1 - this.probs[0];
    }
    const budget = info.emailBudget;
    if (typeof budget === 'number') applyBudget(actions, mailScore, budget);
    return { action: actions, actionProb: null };
  }

  learn(e: Experience<Float32Array, Int32Array>): Record<string, number> | void {
    checkReward(e.reward);
    const rows = this.rows(e.observation);
    // The step's own info (nextInfo) carries the per-row split of the reward just received.
    const rewards = e.nextInfo.customerRewards as ArrayLike<number> | undefined;
    const perRow =
      rewards?.length === rows ? Float64Array.from(rewards) : new Float64Array(rows).fill(e.reward);
    perRow.forEach(checkReward);
    const mask = e.info.actionMask as ArrayLike<number> | undefined;
    this.weeks.push({
      observation: e.observation.slice(),
      actions: e.action.slice(),
      rewards: perRow,
      mask,
    });
    if (e.terminated || e.truncated) return this.update(rows);
  }

  private update(rows: number): Record<string, number> {
    const weeks = this.weeks;
    const gamma = this.options.gamma ?? 0;
    const weights = new Float64Array(weeks.length * rows);
    const column = new Float64Array(weeks.length);
    for (let i = 0; i < rows; i++) {
      weeks.forEach((w, t) => (column[t] = w.rewards[i]));
      const g = rewardToGo(column, undefined, gamma);
      for (let t = 0; t < weeks.length; t++) weights[t * rows + i] = g[t];
    }
    if (this.options.normalizeReturns ?? true) normalizeReturns(weights, weights);
    const grad = new Float64Array(this.policy.params.length);
    const coefficients = new Float64Array(this.options.nActions);
    const f = this.options.nFeatures;
    const entropyCoef = this.options.entropyCoef ?? 0;
    weeks.forEach((w, t) => {
      for (let i = 0; i < rows; i++) {
        this.rowProbs(w.observation, i, w.mask);
        const entropy = -this.probs.reduce((s, p, b) => (p > 0 ? s + p * this.logProbs[b] : s), 0);
        const term = { coef: entropyCoef, entropy };
        const weight = weights[t * rows + i];
        logProbCoefficients(w.actions[i], weight, this.probs, this.logProbs, term, coefficients);
        this.policy.accumulateGradient(
          w.observation.subarray(i * f, (i + 1) * f),
          coefficients,
          grad,
        );
      }
    });
    for (let k = 0; k < grad.length; k++) grad[k] /= rows;
    this.optimizer.step(this.policy.params, grad);
    this.weeks = [];
    return { customerWeeks: weeks.length * rows };
  }

  getState(): unknown {
    return {
      format: 'tsgym-factorised-reinforce/1',
      params: Array.from(this.policy.params),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
    };
  }

  /**
   * Restores {@link FactorisedReinforceAgent.getState}, taken between episodes (the weeks of a
   * running episode are not saved).
   */
  setState(state: unknown): void {
    const s = state as { format?: string; params: number[]; optimizer: never; rng: RngState };
    if (s?.format !== 'tsgym-factorised-reinforce/1') {
      throw new InvalidConfigError(
        `state must come from FactorisedReinforceAgent.getState(); received ${describeValue(state)}.`,
      );
    }
    this.policy.params.set(s.params);
    this.optimizer.setState(s.optimizer);
    this.rng = Rng.fromState(s.rng);
    this.weeks = [];
  }
}

/** Keeps at most `budget` non-zero actions, those with the highest `score`; the rest become 0. */
function applyBudget(actions: Int32Array, score: Float64Array, budget: number): void {
  const mailed: number[] = [];
  actions.forEach((a, i) => {
    if (a !== 0) mailed.push(i);
  });
  if (mailed.length <= budget) return;
  mailed.sort((a, b) => score[b] - score[a] || a - b);
  for (let k = Math.max(0, Math.floor(budget)); k < mailed.length; k++) actions[mailed[k]] = 0;
}
