import {
  EnvContractError,
  InvalidConfigError,
  Rng,
  describeValue,
  rejectUnknownOptions,
  type ActResult,
  type Agent,
  type Experience,
  type Info,
  type RngState,
} from '../src/index';
import { epsilonGreedyProbs, type ActionMask } from './exploration';
import { checkFeatureVector } from './features';

/**
 * Online ridge regression `y ~ w . [x, 1]`, kept exact after every sample by the
 * Sherman-Morrison update of `A^-1`, with `A = lambda I + sum x x^T` and `w = A^-1 b`
 * (as in LinUCB: Li et al., "A contextual-bandit approach to personalized news article
 * recommendation", 2010).
 */
export class RidgeRegression {
  /** Features plus the bias input. */
  readonly size: number;
  private readonly aInv: Float64Array;
  private readonly b: Float64Array;
  /** Current weights, bias last. */
  readonly weights: Float64Array;
  private readonly x: Float64Array;
  private readonly ax: Float64Array;
  /** Samples seen. */
  count = 0;

  /**
   * @param inputSize - number of input features.
   * @param lambda - ridge penalty, \> 0. @defaultValue 1
   * @throws InvalidConfigError for a non-positive size or penalty.
   */
  constructor(
    readonly inputSize: number,
    readonly lambda = 1,
  ) {
    if (!Number.isInteger(inputSize) || inputSize <= 0 || !(lambda > 0)) {
      throw new InvalidConfigError(
        `RidgeRegression needs a positive integer inputSize and lambda > 0; received ` +
          `${describeValue(inputSize)} and ${describeValue(lambda)}.`,
      );
    }
    const d = (this.size = inputSize + 1);
    this.aInv = new Float64Array(d * d);
    for (let i = 0; i < d; i++) this.aInv[i * d + i] = 1 / lambda;
    this.b = new Float64Array(d);
    this.weights = new Float64Array(d);
    this.x = new Float64Array(d);
    this.ax = new Float64Array(d);
  }

  /** The prediction `w . [x, 1]`. */
  predict(x: ArrayLike<number>): number {
    let y = this.weights[this.inputSize];
    for (let i = 0; i < this.inputSize; i++) y += this.weights[i] * x[i];
    return y;
  }

  /** Adds one sample: `A^-1 -= (A^-1 x)(A^-1 x)^T / (1 + x^T A^-1 x)`, `b += y x`, `w = A^-1 b`. */
  update(x: ArrayLike<number>, y: number): void {
    const d = this.size;
    for (let i = 0; i < this.inputSize; i++) this.x[i] = x[i];
    this.x[d - 1] = 1;
    let denom = 1;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.aInv[i * d + j] * this.x[j];
      this.ax[i] = s;
      denom += this.x[i] * s;
    }
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) this.aInv[i * d + j] -= (this.ax[i] * this.ax[j]) / denom;
      this.b[i] += y * this.x[i];
    }
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += this.aInv[i * d + j] * this.b[j];
      this.weights[i] = s;
    }
    this.count++;
  }

  /** The full state as JSON. */
  toJSON(): { aInv: number[]; b: number[]; weights: number[]; count: number } {
    const list = (a: Float64Array) => Array.from(a);
    return {
      aInv: list(this.aInv),
      b: list(this.b),
      weights: list(this.weights),
      count: this.count,
    };
  }

  /** Restores {@link RidgeRegression.toJSON}. */
  load(state: { aInv: number[]; b: number[]; weights: number[]; count: number }): void {
    this.aInv.set(state.aInv);
    this.b.set(state.b);
    this.weights.set(state.weights);
    this.count = state.count;
  }
}

/** Options of {@link LinearEpsilonGreedyAgent}. */
export interface LinearEpsilonGreedyOptions {
  /** Number of context features. */
  inputSize: number;
  /** Number of actions. */
  nActions: number;
  /** Probability of a uniformly random legal action, in [0, 1]. @defaultValue 0.1 */
  epsilon?: number;
  /** Ridge penalty of each action's reward model. @defaultValue 1 */
  lambda?: number;
  /** Draws the actions. @defaultValue a `new Rng()` seeded from OS entropy */
  rng?: Rng;
}

/**
 * Contextual epsilon-greedy: one ridge-regression reward model per action on the context
 * (Sutton and Barto, section 2.9, associative search; Langford and Zhang, "The epoch-greedy
 * algorithm for contextual multi-armed bandits", 2007). Acts from the epsilon-greedy pmf over
 * predicted rewards, so the logged propensity is exactly `pmf[action]` (PITFALLS P14). It
 * treats every step as a one-step decision (it learns the immediate reward only).
 */
export class LinearEpsilonGreedyAgent implements Agent<ArrayLike<number>, number> {
  readonly name = 'LinearEpsilonGreedy';
  /** One reward model per action. */
  readonly models: RidgeRegression[];
  private readonly epsilon: number;
  private rng: Rng;
  private readonly q: Float64Array;

  /**
   * @param options - see {@link LinearEpsilonGreedyOptions}.
   * @throws InvalidConfigError for unknown options or out-of-range values.
   */
  constructor(readonly options: LinearEpsilonGreedyOptions) {
    rejectUnknownOptions(
      options,
      ['inputSize', 'nActions', 'epsilon', 'lambda', 'rng'],
      'LinearEpsilonGreedyAgent options',
    );
    this.epsilon = options.epsilon ?? 0.1;
    if (!(this.epsilon >= 0 && this.epsilon <= 1)) {
      throw new InvalidConfigError(
        `epsilon must lie in [0, 1] (the probability of exploring); received ` +
          `${describeValue(this.epsilon)}.`,
      );
    }
    const n = options.nActions;
    this.models = Array.from(
      { length: n },
      () => new RidgeRegression(options.inputSize, options.lambda),
    );
    this.q = new Float64Array(n);
    this.rng = options.rng ?? new Rng();
  }

  config(): Record<string, unknown> {
    const { inputSize, nActions, lambda = 1 } = this.options;
    return { inputSize, nActions, epsilon: this.epsilon, lambda };
  }

  /** Predicted reward of every action (a fresh array). */
  predict(context: ArrayLike<number>): Float64Array {
    checkFeatureVector(context, this.options.inputSize);
    return Float64Array.from(this.models, (m) => m.predict(context));
  }

  /**
   * The pmf this agent acts from: a fresh array every call, never changed by later `learn`
   * calls (PITFALLS P14).
   *
   * @param explore - false gives the greedy pmf (epsilon 0).
   */
  actionProbs(context: ArrayLike<number>, info: Info = {}, explore = true): Float64Array {
    const q = this.predict(context);
    const mask = info.actionMask as ActionMask | undefined;
    return epsilonGreedyProbs(q, explore ? this.epsilon : 0, new Float64Array(q.length), mask);
  }

  act(context: ArrayLike<number>, info: Info, explore: boolean): ActResult<number> {
    const pmf = this.actionProbs(context, info, explore);
    let u = this.rng.random();
    let action = -1;
    for (let a = 0; a < pmf.length && action < 0; a++) {
      u -= pmf[a];
      if (u < 0 && pmf[a] > 0) action = a;
    }
    if (action < 0) action = pmf.findLastIndex((p) => p > 0);
    return { action, actionProb: pmf[action], qValues: Array.from(pmf) };
  }

  learn(e: Experience<ArrayLike<number>, number>): void {
    if (!Number.isFinite(e.reward)) {
      throw new EnvContractError(
        `reward must be a finite number; received ${describeValue(e.reward)}. Fix the env.`,
      );
    }
    checkFeatureVector(e.observation, this.options.inputSize);
    this.models[e.action].update(e.observation, e.reward);
  }

  getState(): unknown {
    return { models: this.models.map((m) => m.toJSON()), rng: this.rng.getState() };
  }

  setState(state: unknown): void {
    const s = state as { models: ReturnType<RidgeRegression['toJSON']>[]; rng: RngState };
    if (!Array.isArray(s?.models) || s.models.length !== this.models.length) {
      throw new InvalidConfigError(
        `state must come from LinearEpsilonGreedyAgent.getState(); received ${describeValue(state)}.`,
      );
    }
    s.models.forEach((m, a) => this.models[a].load(m));
    this.rng = Rng.fromState(s.rng);
  }
}
