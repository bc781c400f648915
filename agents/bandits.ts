import {
  InvalidActionError,
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
import { argmaxRandomTie, epsilonGreedyAction, epsilonGreedyProbs, softmax } from './exploration';

/** Options every bandit agent takes. */
export interface BanditAgentOptions {
  /** Number of arms, the env's `actionSpace.n`; a positive integer. */
  k: number;
  /**
   * Generator of every random draw. The agent draws from this object and advances it;
   * `setState` replaces it with a restored copy. Takes precedence over `seed`.
   */
  rng?: Rng;
  /** Seed of a new generator when `rng` is not given; OS entropy when neither is. */
  seed?: number;
}

const BASE_OPTIONS = ['k', 'rng', 'seed'] as const;

function checkNumber(value: unknown, name: string, range: [number, number], where: string) {
  const [low, high] = range;
  if (typeof value !== 'number' || !(value >= low && value <= high)) {
    throw new InvalidConfigError(
      `${where}: ${name} must be a number in [${low}, ${high}]; received ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkPositive(value: unknown, name: string, where: string, integer = false): number {
  const ok = typeof value === 'number' && Number.isFinite(value) && value > 0;
  if (!ok || (integer && !Number.isInteger(value))) {
    const what = integer ? 'a positive integer' : 'a finite number > 0';
    throw new InvalidConfigError(
      `${where}: ${name} must be ${what}; received ${describeValue(value)}.`,
    );
  }
  return value as number;
}

function checkStepSize(value: unknown, where: string): number {
  if (typeof value !== 'number' || !(value > 0 && value <= 1)) {
    throw new InvalidConfigError(
      `${where}: alpha must be a number in (0, 1], or omitted for sample averages; ` +
        `received ${describeValue(value)}.`,
    );
  }
  return value;
}

function checkFinite(value: unknown, name: string, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InvalidConfigError(
      `${where}: ${name} must be a finite number; received ${describeValue(value)}.`,
    );
  }
  return value;
}

function makeRng(options: BanditAgentOptions, where: string): Rng {
  if (options.rng === undefined) return new Rng(options.seed);
  if (!(options.rng instanceof Rng)) {
    throw new InvalidConfigError(
      `${where}: rng must be an Rng (new Rng(seed)); received ${describeValue(options.rng)}.`,
    );
  }
  return options.rng;
}

function readArray(state: Record<string, unknown>, key: string, k: number, where: string) {
  const value = state[key];
  if (!Array.isArray(value) || value.length !== k || !value.every((v) => typeof v === 'number')) {
    throw new InvalidConfigError(
      `${where}: state.${key} must be an array of ${k} numbers; received ${describeValue(value)}. ` +
        'Pass an object returned by getState() of the same agent kind.',
    );
  }
  return Float64Array.from(value as number[]);
}

function readNumber(state: Record<string, unknown>, key: string, where: string): number {
  const value = state[key];
  if (typeof value !== 'number') {
    throw new InvalidConfigError(
      `${where}: state.${key} must be a number; received ${describeValue(value)}. ` +
        'Pass an object returned by getState() of the same agent kind.',
    );
  }
  return value;
}

function restoreRng(state: unknown, where: string): Rng {
  try {
    return Rng.fromState(state as RngState);
  } catch (error) {
    throw new InvalidConfigError(
      `${where}: state.rng must be the object Rng.getState() returned; ` +
        `received ${describeValue(state)}. Pass an unmodified getState() result.`,
      { cause: error },
    );
  }
}

/** The pmf that spreads mass evenly over the largest entries of `values` (one-hot if unique). */
function argmaxPmf(values: ArrayLike<number>): Float64Array {
  const pmf = new Float64Array(values.length);
  let best = -Infinity;
  for (let a = 0; a < values.length; a++) if (values[a] > best) best = values[a];
  let ties = 0;
  for (let a = 0; a < values.length; a++) if (values[a] === best) ties++;
  for (let a = 0; a < values.length; a++) pmf[a] = values[a] === best ? 1 / ties : 0;
  return pmf;
}

/**
 * Shared protocol of the bandit agents. Besides the training-loop {@link Agent} protocol it
 * offers a direct API: `selectAction()` draws an arm, `actionProbs()` gives the probability of
 * each arm under the same policy, `update(action, reward)` learns from one pull.
 *
 * `act(observation, info, true)` returns `selectAction()` with `actionProb` = the pmf entry of
 * that arm, taken before the draw. `act(..., false)` (evaluation) picks the arm with the best
 * value estimate, ties broken uniformly at random, with `actionProb` = 1 / number of tied arms.
 * Observations are ignored: a bandit has one state.
 */
export abstract class BanditAgent implements Agent<number, number> {
  /** Agent kind, recorded in run files. */
  abstract readonly name: string;
  /** Number of arms. */
  readonly k: number;
  /** Every random draw of the agent comes from here. */
  protected rng: Rng;
  /** Pulls learned from so far (calls of `update`). */
  protected totalPulls = 0;

  /**
   * @param options - `k` and the generator.
   * @param where - the options' owner, for error messages.
   */
  protected constructor(options: BanditAgentOptions, where: string) {
    this.k = checkPositive(options.k, 'k', where, true);
    this.rng = makeRng(options, where);
  }

  /** Draws an arm from the agent's exploring policy. */
  abstract selectAction(): number;

  /**
   * The probability of each arm under the policy `selectAction` draws from now.
   *
   * @returns a fresh array every call (never reused or changed by later updates; PITFALLS
   *   P14), entries in [0, 1] summing to 1.
   */
  abstract actionProbs(): Float64Array;

  /**
   * Applies the learning rule to a checked `(action, reward)`; `totalPulls` is not yet incremented.
   */
  protected abstract applyUpdate(action: number, reward: number): void;

  /** The per-arm values evaluation acts greedily on; also recorded as `qValues`. */
  protected abstract greedyValues(): Float64Array;

  /** Hyper-parameters for {@link BanditAgent.config}. */
  protected abstract hyperParameters(): Record<string, unknown>;

  /** The learned per-arm arrays and scalars for {@link BanditAgent.getState}. */
  protected abstract learnedState(): Record<string, unknown>;

  /**
   * Restores {@link BanditAgent.learnedState}, changing nothing unless every field is valid.
   *
   * @throws InvalidConfigError on a missing or malformed field.
   */
  protected abstract restoreLearnedState(state: Record<string, unknown>, where: string): void;

  /**
   * Learns from one pull.
   *
   * @param action - the arm pulled, an integer in [0, k).
   * @param reward - the reward received, a finite number.
   * @throws InvalidActionError for an arm outside [0, k); InvalidConfigError for a non-finite
   *   reward.
   */
  update(action: number, reward: number): void {
    this.checkAction(action, 'update');
    if (typeof reward !== 'number' || !Number.isFinite(reward)) {
      throw new InvalidConfigError(
        `${this.name}.update: reward must be a finite number; received ` +
          `${describeValue(reward)}. Check the env's reward.`,
      );
    }
    this.applyUpdate(action, reward);
    this.totalPulls++;
  }

  /** @throws InvalidActionError unless `action` is an integer in [0, k). */
  protected checkAction(action: number, method: string): void {
    if (!Number.isInteger(action) || action < 0 || action >= this.k) {
      throw new InvalidActionError(
        `${this.name}.${method}: action must be an arm index, an integer in [0, ${this.k}); ` +
          `received ${describeValue(action)}. Pass the arm the env was stepped with.`,
      );
    }
  }

  /** The probabilities logged as `actionProb` in `act`; null when the agent does not log them. */
  protected propensities(): Float64Array | null {
    return this.actionProbs();
  }

  /** Chooses an arm; see the class comment for `explore` and `actionProb`. */
  act(_observation: number, _info: Info, explore: boolean): ActResult<number> {
    const qValues = this.greedyValues();
    if (!explore) {
      const pmf = argmaxPmf(qValues);
      const action = argmaxRandomTie(qValues, this.rng);
      return { action, actionProb: pmf[action], qValues };
    }
    const pmf = this.propensities();
    const action = this.selectAction();

    return { action, actionProb: pmf ? pmf[action] : null, qValues };
  }

  /** Learns from the action and reward of one step; bandits have no bootstrapping. */
  learn(experience: Experience<number, number>): void {
    this.update(experience.action, experience.reward);
  }

  /** `k`, the hyper-parameters and the generator's seed and stream. */
  config(): Record<string, unknown> {
    return { k: this.k, ...this.hyperParameters(), seed: this.rng.seed, stream: this.rng.stream };
  }

  /** The full learning state as JSON, including the generator's state, for exact resume. */
  getState(): Record<string, unknown> {
    return {
      name: this.name,
      k: this.k,
      totalPulls: this.totalPulls,
      rng: this.rng.getState(),
      ...this.learnedState(),
    };
  }

  /**
   * Restores {@link BanditAgent.getState}; later draws and updates repeat exactly.
   *
   * @throws InvalidConfigError when `state` is not from an agent of the same kind and `k`.
   */
  setState(state: unknown): void {
    const where = `${this.name}.setState`;
    const s = (typeof state === 'object' && state !== null ? state : {}) as Record<string, unknown>;
    if (s.name !== this.name || s.k !== this.k) {
      throw new InvalidConfigError(
        `${where}: state is for ${describeValue(s.name)} with k = ${describeValue(s.k)}; ` +
          `expected ${this.name} with k = ${this.k}. Restore into an agent of the same kind.`,
      );
    }
    const totalPulls = readNumber(s, 'totalPulls', where);
    const rng = restoreRng(s.rng, where);
    this.restoreLearnedState(s, where);
    this.totalPulls = totalPulls;
    this.rng = rng;
  }
}

/** Options of the agents that keep action-value estimates Q(a). */
export interface ActionValueOptions extends BanditAgentOptions {
  /**
   * Constant step size in (0, 1] for Q(a) += alpha (R - Q(a)), which weights recent rewards
   * more (for non-stationary bandits). Omitted: sample averages, step 1 / N(a).
   */
  alpha?: number;
  /**
   * Initial Q(a): one number for every arm or one per arm. A large value such as 5 is the
   * optimistic initialisation of Sutton and Barto, section 2.6. @defaultValue 0
   */
  initialValue?: number | number[];
}

const VALUE_OPTIONS = [...BASE_OPTIONS, 'alpha', 'initialValue'] as const;

/**
 * Base of agents that estimate each arm's value by an incremental average (Sutton and Barto,
 * section 2.4): Q(A) ← Q(A) + step (R - Q(A)), step = 1 / N(A) or a constant alpha (2.5).
 * With sample averages the first reward replaces the initial value, so optimism only lasts
 * until an arm is first tried; use a constant alpha for the section 2.6 behaviour.
 */
export abstract class ActionValueBandit extends BanditAgent {
  /** Value estimate of each arm. */
  protected qValues: Float64Array;
  /** Number of pulls of each arm. */
  protected counts: Float64Array;
  private readonly alpha: number | undefined;
  private readonly initialValue: number | number[];

  /**
   * @param options - see {@link ActionValueOptions}.
   * @param where - the options' owner, for error messages.
   */
  protected constructor(options: ActionValueOptions, where: string) {
    super(options, where);
    this.alpha = options.alpha === undefined ? undefined : checkStepSize(options.alpha, where);
    this.initialValue = options.initialValue ?? 0;
    this.qValues = initialValues(this.initialValue, this.k, where);
    this.counts = new Float64Array(this.k);
  }

  protected applyUpdate(action: number, reward: number): void {
    this.counts[action]++;
    const step = this.alpha ?? 1 / this.counts[action];
    this.qValues[action] += step * (reward - this.qValues[action]);
  }

  protected greedyValues(): Float64Array {
    return Float64Array.from(this.qValues);
  }

  /** The current value estimates Q(a), as a fresh array. */
  values(): Float64Array {
    return Float64Array.from(this.qValues);
  }

  protected hyperParameters(): Record<string, unknown> {
    return { alpha: this.alpha ?? 'sample-average', initialValue: this.initialValue };
  }

  protected learnedState(): Record<string, unknown> {
    return { qValues: Array.from(this.qValues), counts: Array.from(this.counts) };
  }

  protected restoreLearnedState(state: Record<string, unknown>, where: string): void {
    const qValues = readArray(state, 'qValues', this.k, where);
    this.counts = readArray(state, 'counts', this.k, where);
    this.qValues = qValues;
  }
}

function initialValues(value: number | number[], k: number, where: string): Float64Array {
  const list = typeof value === 'number' ? new Array<number>(k).fill(value) : value;
  const ok =
    Array.isArray(list) &&
    list.length === k &&
    list.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (!ok) {
    throw new InvalidConfigError(
      `${where}: initialValue must be a finite number or an array of ${k} finite numbers; ` +
        `received ${describeValue(value)}.`,
    );
  }
  return Float64Array.from(list);
}

/** Options of {@link EpsilonGreedyBandit}. */
export interface EpsilonGreedyBanditOptions extends ActionValueOptions {
  /** Probability of pulling a uniformly random arm, in [0, 1]. @defaultValue 0.1 */
  epsilon?: number;
}

/**
 * Epsilon-greedy action-value agent (Sutton and Barto, sections 2.2 to 2.4).
 *
 * With probability `epsilon` it pulls an arm drawn uniformly from all k arms (the greedy one
 * included), otherwise a greedy arm, ties broken uniformly at random (PITFALLS P8, P9). The
 * greedy arm's probability is therefore 1 - epsilon + epsilon / k.
 *
 * @example
 * ```ts
 * const agent = new EpsilonGreedyBandit({ k: 10, epsilon: 0.1, seed: 0 });
 * const arm = agent.selectAction();
 * agent.update(arm, env.step(arm).reward);
 * ```
 */
export class EpsilonGreedyBandit extends ActionValueBandit {
  /** Agent kind. */
  readonly name = 'EpsilonGreedyBandit';
  /** Probability of a uniformly random arm. */
  readonly epsilon: number;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: EpsilonGreedyBanditOptions) {
    const where = 'EpsilonGreedyBandit options';
    rejectUnknownOptions(options, [...VALUE_OPTIONS, 'epsilon'], where);
    super(options, where);
    this.epsilon = checkNumber(options.epsilon ?? 0.1, 'epsilon', [0, 1], where);
  }

  selectAction(): number {
    return epsilonGreedyAction(this.qValues, this.epsilon, this.rng);
  }

  actionProbs(): Float64Array {
    return epsilonGreedyProbs(this.qValues, this.epsilon);
  }

  /** `{ epsilon }`, logged as `train/epsilon`. */
  metrics(): Record<string, number> {
    return { epsilon: this.epsilon };
  }

  protected override hyperParameters(): Record<string, unknown> {
    return { epsilon: this.epsilon, ...super.hyperParameters() };
  }
}

/** Options of {@link UCB}. */
export interface UCBOptions extends ActionValueOptions {
  /** Exploration weight c (at least 0) of the confidence bonus. @defaultValue 2 */
  c?: number;
}

/**
 * Upper-confidence-bound action selection (Sutton and Barto, section 2.7, eq. 2.10):
 * A_t = argmax_a [ Q_t(a) + c sqrt( ln t / N_t(a) ) ], with t the number of the current pull
 * (1 on the first) and N_t(a) the pulls of arm a before it. An arm never pulled counts as
 * maximising, so every arm is tried once first; ties (among untried arms or equal scores) are
 * broken uniformly at random.
 *
 * `actionProbs()` is deterministic given the state: 1 on the arm with the best score, or
 * spread evenly over tied arms.
 *
 * @example
 * ```ts
 * const agent = new UCB({ k: 10, c: 2, seed: 0 });
 * ```
 */
export class UCB extends ActionValueBandit {
  /** Agent kind. */
  readonly name: string = 'UCB';
  /** Exploration weight of the confidence bonus. */
  readonly c: number;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: UCBOptions, where = 'UCB options') {
    rejectUnknownOptions(options, [...VALUE_OPTIONS, 'c'], where);
    super(options, where);
    this.c = checkNumber(options.c ?? 2, 'c', [0, Infinity], where);
  }

  /** ln t of eq. 2.10, t = the number of the current pull. */
  protected logTime(): number {
    return Math.log(this.totalPulls + 1);
  }

  /** Each arm's upper confidence bound; Infinity for arms never pulled. */
  scores(): Float64Array {
    const scores = new Float64Array(this.k);
    const logT = this.logTime();
    for (let a = 0; a < this.k; a++) {
      const n = this.counts[a];
      scores[a] = n === 0 ? Infinity : this.qValues[a] + this.c * Math.sqrt(logT / n);
    }
    return scores;
  }

  selectAction(): number {
    return argmaxRandomTie(this.scores(), this.rng);
  }

  actionProbs(): Float64Array {
    return argmaxPmf(this.scores());
  }

  protected override hyperParameters(): Record<string, unknown> {
    return { c: this.c, ...super.hyperParameters() };
  }
}

/** Options of {@link UCB1}: those of {@link UCB} without `c`. */
export type UCB1Options = ActionValueOptions;

/**
 * UCB1 of Auer, Cesa-Bianchi and Fischer (2002): after every arm was pulled once, pull
 * argmax_a [ mean(a) + sqrt( 2 ln n / n_a ) ], n the number of pulls so far. That is
 * {@link UCB} with c = sqrt(2) and ln n in place of ln t = ln (n + 1).
 */
export class UCB1 extends UCB {
  override readonly name: string = 'UCB1';

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: UCB1Options) {
    rejectUnknownOptions(options, VALUE_OPTIONS, 'UCB1 options');
    super({ ...options, c: Math.SQRT2 }, 'UCB1 options');
  }

  protected override logTime(): number {
    return Math.log(Math.max(this.totalPulls, 1));
  }
}

/** Options shared by the Thompson-sampling agents. */
export interface ThompsonOptions extends BanditAgentOptions {
  /** Posterior draws `actionProbs()` uses to estimate each arm's probability. @defaultValue 1000 */
  probDraws?: number;
  /**
   * When true, `act` logs `actionProb` from `actionProbs()` (probDraws extra posterior draws
   * per step, about 1 ms for 10 arms); when false it logs null. @defaultValue false
   */
  logPropensity?: boolean;
}

const THOMPSON_OPTIONS = [...BASE_OPTIONS, 'probDraws', 'logPropensity'] as const;

/**
 * Base of Thompson sampling (Thompson 1933; Russo et al. 2018, "A Tutorial on Thompson
 * Sampling"): draw one value per arm from its posterior, pull the arm with the largest draw.
 *
 * `actionProbs()` is a Monte-Carlo estimate: `probDraws` rounds of posterior draws, each arm's
 * probability = the share of rounds it won (ties split at random). Those draws come from a
 * stream derived from the agent's seed and the number of pulls so far, not from the agent's
 * own generator, so calling `actionProbs()` never changes the actions the agent takes and two
 * calls in the same state give the same pmf. An arm that wins no round gets probability 0, even
 * though its true probability is positive; raise `probDraws` when logging propensities for
 * inverse-propensity estimates.
 */
export abstract class ThompsonBandit extends BanditAgent {
  /** Posterior draws per `actionProbs()` call. */
  readonly probDraws: number;
  /** Whether `act` logs `actionProb`. */
  readonly logPropensity: boolean;

  /**
   * @param options - see {@link ThompsonOptions}.
   * @param where - the options' owner, for error messages.
   */
  protected constructor(options: ThompsonOptions, where: string) {
    super(options, where);
    this.probDraws = checkPositive(options.probDraws ?? 1000, 'probDraws', where, true);
    this.logPropensity = options.logPropensity ?? false;
  }

  /**
   * Draws a value for `action` from its posterior.
   *
   * @param action - the arm.
   * @param rng - the generator to draw from; the agent's own by default.
   */
  abstract samplePosterior(action: number, rng?: Rng): number;

  /** The posterior mean of every arm (evaluation acts greedily on it). */
  abstract posteriorMeans(): Float64Array;

  private sampleAll(rng: Rng, out: Float64Array): Float64Array {
    for (let a = 0; a < this.k; a++) out[a] = this.samplePosterior(a, rng);
    return out;
  }

  selectAction(): number {
    return argmaxRandomTie(this.sampleAll(this.rng, new Float64Array(this.k)), this.rng);
  }

  actionProbs(): Float64Array {
    const rng = this.rng.spawn(`actionProbs/${this.totalPulls}`);
    const draws = new Float64Array(this.k);
    const wins = new Float64Array(this.k);
    for (let i = 0; i < this.probDraws; i++) {
      wins[argmaxRandomTie(this.sampleAll(rng, draws), rng)]++;
    }
    for (let a = 0; a < this.k; a++) wins[a] /= this.probDraws;
    return wins;
  }

  protected override propensities(): Float64Array | null {
    return this.logPropensity ? this.actionProbs() : null;
  }

  protected greedyValues(): Float64Array {
    return this.posteriorMeans();
  }

  protected hyperParameters(): Record<string, unknown> {
    return { probDraws: this.probDraws, logPropensity: this.logPropensity };
  }
}

/** Options of {@link ThompsonSampling}. */
export interface ThompsonSamplingOptions extends ThompsonOptions {
  /** Prior alpha of every arm's Beta(alpha, beta) prior, positive. @defaultValue 1 */
  priorAlpha?: number;
  /** Prior beta of every arm's Beta(alpha, beta) prior, positive. @defaultValue 1 */
  priorBeta?: number;
}

/** The Beta(alpha, beta) posterior of one arm. */
export interface BetaPosterior {
  /** 1 + successes under the default Beta(1, 1) prior. */
  alpha: number;
  /** 1 + failures under the default Beta(1, 1) prior. */
  beta: number;
}

/**
 * Beta-Bernoulli Thompson sampling. Each arm's success probability has the prior
 * Beta(priorAlpha, priorBeta), Beta(1, 1) = uniform by default. A reward r in [0, 1] updates
 * alpha += r, beta += 1 - r (conjugate update for r = 0 or 1; for fractional r this is the
 * expected update of Agrawal and Goyal's Bernoulli trick), so after 100 pulls with 90
 * successes the posterior is Beta(91, 11), mean 91/102 = 0.892. The buggy Beta(1 + successes,
 * 1 + pulls) counts successes as failures too (PITFALLS P13).
 *
 * @example
 * ```ts
 * const agent = new ThompsonSampling({ k: 3, seed: 0 });
 * agent.updateCounts(0, { successes: 90, trials: 100 });
 * agent.posterior(0); // { alpha: 91, beta: 11 }
 * ```
 */
export class ThompsonSampling extends ThompsonBandit {
  /** Agent kind. */
  readonly name = 'ThompsonSampling';
  /** Prior alpha of every arm. */
  readonly priorAlpha: number;
  /** Prior beta of every arm. */
  readonly priorBeta: number;
  private alphas: Float64Array;
  private betas: Float64Array;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: ThompsonSamplingOptions) {
    const where = 'ThompsonSampling options';
    rejectUnknownOptions(options, [...THOMPSON_OPTIONS, 'priorAlpha', 'priorBeta'], where);
    super(options, where);
    this.priorAlpha = checkPositive(options.priorAlpha ?? 1, 'priorAlpha', where);
    this.priorBeta = checkPositive(options.priorBeta ?? 1, 'priorBeta', where);
    this.alphas = new Float64Array(this.k).fill(this.priorAlpha);
    this.betas = new Float64Array(this.k).fill(this.priorBeta);
  }

  protected applyUpdate(action: number, reward: number): void {
    if (reward < 0 || reward > 1) {
      throw new InvalidConfigError(
        `ThompsonSampling.update: reward must be in [0, 1] (Bernoulli); received ${reward}. ` +
          'Use GaussianThompsonSampling for unbounded rewards.',
      );
    }
    this.alphas[action] += reward;
    this.betas[action] += 1 - reward;
  }

  /**
   * Learns a batch of Bernoulli outcomes of one arm at once (e.g. exposures and conversions).
   *
   * @param action - the arm.
   * @param outcome - `successes` of `trials`; integers with 0 \<= successes \<= trials.
   * @throws InvalidActionError for a bad arm; InvalidConfigError for bad counts.
   */
  updateCounts(action: number, outcome: { successes: number; trials: number }): void {
    const { successes, trials } = outcome;
    if (!Number.isInteger(successes) || !Number.isInteger(trials) || successes < 0) {
      throw badCounts(outcome);
    }
    if (successes > trials) throw badCounts(outcome);
    this.checkAction(action, 'updateCounts');

    // Same result as `trials` calls of update(): alpha += successes, beta += failures.
    this.alphas[action] += successes;
    this.betas[action] += trials - successes;
    this.totalPulls += trials;
  }

  /** The current Beta posterior of `action`. */
  posterior(action: number): BetaPosterior {
    return { alpha: this.alphas[action], beta: this.betas[action] };
  }

  posteriorMeans(): Float64Array {
    return this.alphas.map((a, i) => a / (a + this.betas[i]));
  }

  samplePosterior(action: number, rng: Rng = this.rng): number {
    return rng.beta(this.alphas[action], this.betas[action]);
  }

  protected override hyperParameters(): Record<string, unknown> {
    return { priorAlpha: this.priorAlpha, priorBeta: this.priorBeta, ...super.hyperParameters() };
  }

  protected learnedState(): Record<string, unknown> {
    return { alphas: Array.from(this.alphas), betas: Array.from(this.betas) };
  }

  protected restoreLearnedState(state: Record<string, unknown>, where: string): void {
    const alphas = readArray(state, 'alphas', this.k, where);
    this.betas = readArray(state, 'betas', this.k, where);
    this.alphas = alphas;
  }
}

function badCounts(outcome: unknown): InvalidConfigError {
  return new InvalidConfigError(
    `ThompsonSampling.updateCounts: outcome must hold integers 0 <= successes <= trials; ` +
      `received ${describeValue(outcome)}.`,
  );
}

/** Options of {@link GaussianThompsonSampling}. */
export interface GaussianThompsonOptions extends ThompsonOptions {
  /** Mean of every arm's Normal prior on its mean reward. @defaultValue 0 */
  priorMean?: number;
  /** Standard deviation of that prior, positive. @defaultValue 1 */
  priorStd?: number;
  /** Known standard deviation of a reward around its arm's mean, positive. @defaultValue 1 */
  noiseStd?: number;
}

/**
 * Gaussian Thompson sampling: Normal-Normal model with known reward noise. Prior per arm:
 * mu(a) ~ N(priorMean, priorStd^2), N(0, 1) by default, which is exactly how the 10-armed
 * testbed draws q*. Rewards R ~ N(mu(a), noiseStd^2). After n pulls of an arm with reward
 * sum S the posterior is N(m, 1 / tau) with precision tau = 1 / priorStd^2 + n / noiseStd^2 and
 * m = (priorMean / priorStd^2 + S / noiseStd^2) / tau (conjugate update; Murphy 2007,
 * "Conjugate Bayesian analysis of the Gaussian distribution", section 2).
 *
 * @example
 * ```ts
 * const agent = new GaussianThompsonSampling({ k: 10, seed: 0 });
 * ```
 */
export class GaussianThompsonSampling extends ThompsonBandit {
  /** Agent kind. */
  readonly name = 'GaussianThompsonSampling';
  /** Prior mean of every arm. */
  readonly priorMean: number;
  /** Prior standard deviation of every arm. */
  readonly priorStd: number;
  /** Known reward noise standard deviation. */
  readonly noiseStd: number;
  private counts: Float64Array;
  private rewardSums: Float64Array;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: GaussianThompsonOptions) {
    const where = 'GaussianThompsonSampling options';
    const known = [...THOMPSON_OPTIONS, 'priorMean', 'priorStd', 'noiseStd'];
    rejectUnknownOptions(options, known, where);
    super(options, where);
    this.priorMean = checkFinite(options.priorMean ?? 0, 'priorMean', where);
    this.priorStd = checkPositive(options.priorStd ?? 1, 'priorStd', where);
    this.noiseStd = checkPositive(options.noiseStd ?? 1, 'noiseStd', where);
    this.counts = new Float64Array(this.k);
    this.rewardSums = new Float64Array(this.k);
  }

  protected applyUpdate(action: number, reward: number): void {
    this.counts[action]++;
    this.rewardSums[action] += reward;
  }

  /** The Normal posterior of `action`'s mean reward. */
  posterior(action: number): { mean: number; std: number } {
    const priorPrecision = 1 / this.priorStd ** 2;
    const noisePrecision = 1 / this.noiseStd ** 2;
    const precision = priorPrecision + this.counts[action] * noisePrecision;
    const weighted = this.priorMean * priorPrecision + this.rewardSums[action] * noisePrecision;

    return { mean: weighted / precision, std: 1 / Math.sqrt(precision) };
  }

  posteriorMeans(): Float64Array {
    const means = new Float64Array(this.k);
    for (let a = 0; a < this.k; a++) means[a] = this.posterior(a).mean;
    return means;
  }

  samplePosterior(action: number, rng: Rng = this.rng): number {
    const { mean, std } = this.posterior(action);
    return rng.normal(mean, std);
  }

  protected override hyperParameters(): Record<string, unknown> {
    const { priorMean, priorStd, noiseStd } = this;
    return { priorMean, priorStd, noiseStd, ...super.hyperParameters() };
  }

  protected learnedState(): Record<string, unknown> {
    return { counts: Array.from(this.counts), rewardSums: Array.from(this.rewardSums) };
  }

  protected restoreLearnedState(state: Record<string, unknown>, where: string): void {
    const counts = readArray(state, 'counts', this.k, where);
    this.rewardSums = readArray(state, 'rewardSums', this.k, where);
    this.counts = counts;
  }
}

/** Options of {@link GradientBandit}. */
export interface GradientBanditOptions extends BanditAgentOptions {
  /** Step size of the preference update, positive. @defaultValue 0.1 */
  alpha?: number;
  /** Subtract the average reward as a baseline. @defaultValue true */
  baseline?: boolean;
}

/**
 * Gradient bandit (Sutton and Barto, section 2.8): preferences H(a), policy
 * pi(a) = softmax(H)(a), and after pulling A with reward R
 *   H(A) ← H(A) + alpha (R - Rbar) (1 - pi(A)),  H(a) ← H(a) - alpha (R - Rbar) pi(a), a != A
 * (eq. 2.12), with pi taken before the update. The baseline Rbar is the average of the rewards
 * before this pull, and Rbar = R on the first pull (the book's R̄_1 = R_1); it is 0 when
 * `baseline` is false. Figure 2.5 shows the baseline matters when q* is centred far from 0.
 *
 * `actionProbs()` is softmax(H), exactly the distribution `selectAction()` draws from.
 *
 * @example
 * ```ts
 * const agent = new GradientBandit({ k: 10, alpha: 0.1, baseline: true, seed: 0 });
 * ```
 */
export class GradientBandit extends BanditAgent {
  /** Agent kind. */
  readonly name = 'GradientBandit';
  /** Step size of the preference update. */
  readonly alpha: number;
  /** Whether the average reward is subtracted. */
  readonly baseline: boolean;
  private preferences: Float64Array;
  /** softmax(preferences), kept in step with them so each pull computes it once. */
  private pi: Float64Array;
  private meanReward = 0;

  /** @throws InvalidConfigError for an unknown or out-of-range option. */
  constructor(options: GradientBanditOptions) {
    const where = 'GradientBandit options';
    rejectUnknownOptions(options, [...BASE_OPTIONS, 'alpha', 'baseline'], where);
    super(options, where);
    this.alpha = checkPositive(options.alpha ?? 0.1, 'alpha', where);
    this.baseline = options.baseline ?? true;
    this.preferences = new Float64Array(this.k);
    this.pi = softmax(this.preferences);
  }

  selectAction(): number {
    return this.rng.categorical(this.pi);
  }

  actionProbs(): Float64Array {
    return Float64Array.from(this.pi);
  }

  protected applyUpdate(action: number, reward: number): void {
    const pi = this.pi;
    const first = this.totalPulls === 0;
    const rBar = this.baseline ? (first ? reward : this.meanReward) : 0;
    const delta = this.alpha * (reward - rBar);
    for (let a = 0; a < this.k; a++) {
      this.preferences[a] += delta * ((a === action ? 1 : 0) - pi[a]);
    }
    this.meanReward += (reward - this.meanReward) / (this.totalPulls + 1);
    softmax(this.preferences, 1, this.pi);
  }

  /** The preferences H(a), as a fresh array. */
  values(): Float64Array {
    return Float64Array.from(this.preferences);
  }

  protected greedyValues(): Float64Array {
    return Float64Array.from(this.preferences);
  }

  protected hyperParameters(): Record<string, unknown> {
    return { alpha: this.alpha, baseline: this.baseline };
  }

  protected learnedState(): Record<string, unknown> {
    return { preferences: Array.from(this.preferences), meanReward: this.meanReward };
  }

  protected restoreLearnedState(state: Record<string, unknown>, where: string): void {
    const preferences = readArray(state, 'preferences', this.k, where);
    this.meanReward = readNumber(state, 'meanReward', where);
    this.preferences = preferences;
    this.pi = softmax(this.preferences);
  }
}
