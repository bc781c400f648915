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
} from '../../src/index';
import type { ActionMask } from '../exploration';
import { AscentOptimizer, type OptimizerKind } from './optim';
import {
  greedyAction,
  logProbCoefficients,
  maskedSoftmax,
  sampleAction,
  type DifferentiablePolicy,
} from './policy';
import { normalizeReturns, rewardToGo } from './returns';

/** A batch of consecutive steps, possibly of several episodes. */
export interface PolicyGradientBatch<Obs> {
  /** Observation each action was chosen from. */
  observations: Obs[];
  /** Actions taken. */
  actions: number[];
  /** Action masks in force (undefined where none). */
  masks: (ActionMask | undefined)[];
}

/**
 * Adds `sum_t weights[t] * grad log pi(a_t | s_t) + entropyCoef * grad H(pi(. | s_t))` to
 * `grad`. With `weights = G_t` (reward-to-go) this is REINFORCE's estimate of the policy
 * gradient theorem, `grad J = E[grad log pi(a|s) Q(s, a)]` (Sutton et al., 2000; Williams,
 * 1992).
 *
 * @returns the mean entropy of the policy over the batch's states.
 */
export function accumulatePolicyGradient<Obs>(
  policy: DifferentiablePolicy<Obs>,
  batch: PolicyGradientBatch<Obs>,
  weights: ArrayLike<number>,
  grad: Float64Array,
  entropyCoef = 0,
): number {
  const n = policy.nActions;
  const logits = new Float64Array(n);
  const probs = new Float64Array(n);
  const logProbs = new Float64Array(n);
  const coefficients = new Float64Array(n);
  let entropySum = 0;
  for (let t = 0; t < batch.actions.length; t++) {
    policy.logits(batch.observations[t], logits);
    const entropy = maskedSoftmax(logits, probs, logProbs, batch.masks[t]);
    entropySum += entropy;
    const term = { coef: entropyCoef, entropy };
    logProbCoefficients(batch.actions[t], weights[t], probs, logProbs, term, coefficients);
    policy.accumulateGradient(batch.observations[t], coefficients, grad);
  }
  return batch.actions.length ? entropySum / batch.actions.length : 0;
}

/** Options of {@link ReinforceAgent}. */
export interface ReinforceOptions<Obs> {
  /** The policy to train (`LinearSoftmaxPolicy`, `TabularSoftmaxPolicy`, ...). */
  policy: DifferentiablePolicy<Obs>;
  /** Discount gamma in [0, 1]. @defaultValue 0.99 */
  gamma?: number;
  /** Policy step size. @defaultValue 0.01 */
  learningRate?: number;
  /** `'adam'` or `'sgd'`. @defaultValue 'adam' */
  optimizer?: OptimizerKind;
  /** Episodes per update. @defaultValue 1 */
  batchEpisodes?: number;
  /**
   * Z-score the weights over the whole batch, `(A - mean) / (std + 1e-8)` (PITFALLS P10; the
   * batch-wide normalisation P11 allows). @defaultValue true
   */
  normalizeReturns?: boolean;
  /**
   * `'none'`: weights are the reward-to-go G_t. `'value'`: a learned state-value baseline
   * `V(s) = v . phi(s)`, fitted across episodes by normalised least mean squares, gives
   * weights `G_t - V(s_t)` and bootstraps truncated (not terminated) episodes with
   * `gamma * V(s_T)`. A per-episode mean of G_t is never used (PITFALLS P11).
   * @defaultValue 'none'
   */
  baseline?: 'none' | 'value';
  /** NLMS step size of the value baseline, in (0, 2). @defaultValue 0.1 */
  valueLearningRate?: number;
  /** Weight of the entropy bonus. @defaultValue 0 */
  entropyCoef?: number;
  /** Report the action probabilities as `qValues` from `act`. @defaultValue false */
  reportProbabilities?: boolean;
  /** Draws the sampled actions. @defaultValue a `new Rng()` seeded from OS entropy */
  rng?: Rng;
}

const OPTIONS = [
  'policy',
  'gamma',
  'learningRate',
  'optimizer',
  'batchEpisodes',
  'normalizeReturns',
  'baseline',
  'valueLearningRate',
  'entropyCoef',
  'reportProbabilities',
  'rng',
];

/** Checks the numeric options shared by the policy-gradient agents. */
export function checkUnitInterval(value: number, name: string): void {
  if (!(value >= 0 && value <= 1)) {
    throw new InvalidConfigError(`${name} must lie in [0, 1]; received ${describeValue(value)}.`);
  }
}

/** Throws {@link EnvContractError} for a NaN or infinite reward. */
export function checkReward(reward: number): void {
  if (!Number.isFinite(reward)) {
    throw new EnvContractError(
      `reward must be a finite number; received ${describeValue(reward)}. ` +
        'Fix the env or reward wrapper that produced it; the agent did not learn from it.',
    );
  }
}

/**
 * REINFORCE with reward-to-go (Williams, 1992; Sutton and Barto, section 13.3):
 * `theta += alpha * mean_episodes sum_t grad log pi(a_t | s_t) * A_t`, with `A_t = G_t` or
 * `G_t - V(s_t)` (section 13.4), optionally z-scored over the batch, plus an entropy bonus.
 * The `gamma^t` factor of the exact discounted gradient is dropped, as in most
 * implementations (Thomas, "Bias in natural actor-critic algorithms", 2014).
 * `terminated` ends a return with 0; a truncation bootstraps only with a value baseline
 * (PITFALLS P1).
 *
 * @example
 * ```ts
 * const policy = new LinearSoftmaxPolicy(4, 2);
 * const agent = new ReinforceAgent({ policy, learningRate: 0.02, rng: new Rng(0) });
 * ```
 */
export class ReinforceAgent<Obs> implements Agent<Obs, number> {
  readonly name = 'Reinforce';
  /** The policy being trained. */
  readonly policy: DifferentiablePolicy<Obs>;
  private readonly gamma: number;
  private readonly batchEpisodes: number;
  private readonly normalize: boolean;
  private readonly baseline: 'none' | 'value';
  private readonly valueLearningRate: number;
  private readonly entropyCoef: number;
  private readonly reportProbabilities: boolean;
  private readonly optimizer: AscentOptimizer;
  private readonly valueWeights: Float64Array;
  private rng: Rng;
  private buffer = emptyBuffer<Obs>();
  private episodesInBatch = 0;
  private updates = 0;
  private lastEntropy = 0;
  private readonly logits: Float64Array;
  private readonly probs: Float64Array;
  private readonly logProbs: Float64Array;

  /**
   * @param options - see {@link ReinforceOptions}.
   * @throws InvalidConfigError for an unknown option or an out-of-range value.
   */
  constructor(options: ReinforceOptions<Obs>) {
    rejectUnknownOptions(options, OPTIONS, 'ReinforceAgent options');
    if (!options.policy) throw new InvalidConfigError('ReinforceAgent needs a policy option.');
    this.policy = options.policy;
    this.gamma = options.gamma ?? 0.99;
    checkUnitInterval(this.gamma, 'gamma');
    this.batchEpisodes = options.batchEpisodes ?? 1;
    if (!Number.isInteger(this.batchEpisodes) || this.batchEpisodes < 1) {
      throw new InvalidConfigError(
        `batchEpisodes must be a positive integer; received ${describeValue(this.batchEpisodes)}.`,
      );
    }
    this.normalize = options.normalizeReturns ?? true;
    this.baseline = checkBaseline(options.baseline ?? 'none');
    this.valueLearningRate = options.valueLearningRate ?? 0.1;
    this.entropyCoef = options.entropyCoef ?? 0;
    this.reportProbabilities = options.reportProbabilities ?? false;
    const lr = options.learningRate ?? 0.01;
    this.optimizer = new AscentOptimizer(
      this.policy.params.length,
      options.optimizer ?? 'adam',
      lr,
    );
    this.valueWeights = new Float64Array(this.policy.nFeatures);
    this.rng = options.rng ?? new Rng();
    const n = this.policy.nActions;
    this.logits = new Float64Array(n);
    this.probs = new Float64Array(n);
    this.logProbs = new Float64Array(n);
  }

  config(): Record<string, unknown> {
    return {
      policy: this.policy.config(),
      gamma: this.gamma,
      learningRate: this.optimizer.learningRate,
      optimizer: this.optimizer.kind,
      batchEpisodes: this.batchEpisodes,
      normalizeReturns: this.normalize,
      baseline: this.baseline,
      valueLearningRate: this.valueLearningRate,
      entropyCoef: this.entropyCoef,
    };
  }

  /**
   * The policy's action probabilities for `observation` (a fresh array each call).
   *
   * @throws EnvContractError for a malformed observation; InvalidActionError when the mask
   *   leaves no legal action.
   */
  actionProbs(observation: Obs, info: Info = {}): Float64Array {
    this.policy.checkObservation(observation);
    this.policy.logits(observation, this.logits);
    maskedSoftmax(this.logits, this.probs, this.logProbs, info.actionMask as ActionMask);
    return this.probs.slice();
  }

  act(observation: Obs, info: Info, explore: boolean): ActResult<number> {
    this.policy.checkObservation(observation);
    this.policy.logits(observation, this.logits);
    maskedSoftmax(this.logits, this.probs, this.logProbs, info.actionMask as ActionMask);
    const action = explore ? sampleAction(this.probs, this.rng) : greedyAction(this.probs);
    const result: ActResult<number> = { action, actionProb: this.probs[action] };
    if (this.reportProbabilities) result.qValues = Array.from(this.probs);
    return result;
  }

  learn(experience: Experience<Obs, number>): Record<string, number> | void {
    checkReward(experience.reward);
    this.policy.checkObservation(experience.observation);
    const b = this.buffer;
    b.observations.push(copyObservation(experience.observation));
    b.actions.push(experience.action);
    b.rewards.push(experience.reward);
    b.masks.push(experience.info.actionMask as ActionMask | undefined);
    const ended = experience.terminated || experience.truncated;
    b.dones.push(ended ? 1 : 0);
    // P1: bootstrap only through a truncation that is not also a real terminal state.
    const bootstrap = experience.truncated && !experience.terminated;
    b.bootstrapObservations.push(bootstrap ? copyObservation(experience.nextObservation) : null);
    if (!ended) return;
    this.episodesInBatch++;
    if (this.episodesInBatch >= this.batchEpisodes) return this.update();
  }

  private update(): Record<string, number> {
    const b = this.buffer;
    const bootstrap = this.bootstrapValues();
    const returns = rewardToGo(b.rewards, b.dones, this.gamma, bootstrap);
    const weights = returns.slice();
    if (this.baseline === 'value') {
      for (let t = 0; t < weights.length; t++) weights[t] -= this.value(b.observations[t]);
    }
    if (this.normalize) normalizeReturns(weights, weights);
    const grad = new Float64Array(this.policy.params.length);
    this.lastEntropy = accumulatePolicyGradient(this.policy, b, weights, grad, this.entropyCoef);
    for (let k = 0; k < grad.length; k++) grad[k] /= this.episodesInBatch;
    this.optimizer.step(this.policy.params, grad);
    if (this.baseline === 'value') this.fitValue(b.observations, returns);
    this.updates++;
    this.buffer = emptyBuffer<Obs>();
    this.episodesInBatch = 0;

    return { entropy: this.lastEntropy, updates: this.updates };
  }

  private bootstrapValues(): Float64Array | undefined {
    if (this.baseline !== 'value') return undefined;
    const out = new Float64Array(this.buffer.rewards.length);
    this.buffer.bootstrapObservations.forEach((obs, t) => {
      if (obs !== null) out[t] = this.value(obs);
    });
    return out;
  }

  /** The value baseline's estimate V(s) (0 without a value baseline). */
  value(observation: Obs): number {
    const phi = scratchFeatures(this.policy.nFeatures);
    this.policy.writeFeatures(observation, phi);
    let v = 0;
    for (let i = 0; i < phi.length; i++) v += this.valueWeights[i] * phi[i];
    return v;
  }

  // Normalised LMS (Haykin, "Adaptive Filter Theory", section 6): w += mu (G - V) phi / (1 +
  // |phi|^2),
  // stable for 0 < mu < 2 whatever the scale of the features.
  private fitValue(observations: Obs[], returns: Float64Array): void {
    const phi = scratchFeatures(this.policy.nFeatures);
    for (let t = 0; t < observations.length; t++) {
      this.policy.writeFeatures(observations[t], phi);
      let v = 0;
      let norm = 1;
      for (let i = 0; i < phi.length; i++) {
        v += this.valueWeights[i] * phi[i];
        norm += phi[i] * phi[i];
      }
      const step = (this.valueLearningRate * (returns[t] - v)) / norm;
      for (let i = 0; i < phi.length; i++) this.valueWeights[i] += step * phi[i];
    }
  }

  endEpisode(): Record<string, number> {
    return { entropy: this.lastEntropy };
  }

  metrics(): Record<string, number> {
    return { entropy: this.lastEntropy, updates: this.updates };
  }

  getState(): ReinforceState {
    return {
      format: 'tsgym-reinforce/1',
      params: Array.from(this.policy.params),
      valueWeights: Array.from(this.valueWeights),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
      updates: this.updates,
      episodesInBatch: this.episodesInBatch,
      buffer: JSON.parse(JSON.stringify(this.buffer, typedArraysAsLists)),
    };
  }

  setState(state: unknown): void {
    const s = state as ReinforceState;
    if (s?.format !== 'tsgym-reinforce/1' || s.params.length !== this.policy.params.length) {
      throw new InvalidConfigError(
        'state must come from getState() of a ReinforceAgent with the same policy shape; ' +
          `received ${describeValue(state)}.`,
      );
    }
    this.policy.params.set(s.params);
    this.valueWeights.set(s.valueWeights);
    this.optimizer.setState(s.optimizer);
    this.rng = Rng.fromState(s.rng);
    this.updates = s.updates;
    this.episodesInBatch = s.episodesInBatch;
    this.buffer = reviveBuffer<Obs>(s.buffer);
  }
}

/** The JSON checkpoint of a {@link ReinforceAgent}. */
export interface ReinforceState {
  /** Format tag. */
  format: 'tsgym-reinforce/1';
  /** Policy parameters. */
  params: number[];
  /** Value-baseline weights. */
  valueWeights: number[];
  /** Optimiser moments. */
  optimizer: { t: number; m: number[]; v: number[] };
  /** Sampling generator. */
  rng: RngState;
  /** Updates so far. */
  updates: number;
  /** Finished episodes waiting in the batch. */
  episodesInBatch: number;
  /** Steps waiting in the batch. */
  buffer: unknown;
}

interface Buffer<Obs> extends PolicyGradientBatch<Obs> {
  rewards: number[];
  dones: number[];
  bootstrapObservations: (Obs | null)[];
}

function emptyBuffer<Obs>(): Buffer<Obs> {
  return {
    observations: [],
    actions: [],
    masks: [],
    rewards: [],
    dones: [],
    bootstrapObservations: [],
  };
}

function checkBaseline(value: string): 'none' | 'value' {
  if (value !== 'none' && value !== 'value') {
    throw new InvalidConfigError(
      `baseline must be 'none' or 'value'; received ${describeValue(value)}. The per-episode ` +
        'mean baseline is deliberately not offered (PITFALLS P11).',
    );
  }
  return value;
}

/** Copies typed-array observations so a later in-place change by the env cannot alter them. */
export function copyObservation<Obs>(observation: Obs): Obs {
  return ArrayBuffer.isView(observation)
    ? ((observation as unknown as Float32Array).slice() as unknown as Obs)
    : observation;
}

function typedArraysAsLists(_key: string, value: unknown): unknown {
  return ArrayBuffer.isView(value) ? Array.from(value as unknown as ArrayLike<number>) : value;
}

function reviveBuffer<Obs>(raw: unknown): Buffer<Obs> {
  const b = raw as Buffer<unknown>;
  const revive = (o: unknown) => (Array.isArray(o) ? Float64Array.from(o) : o) as Obs;
  return {
    observations: b.observations.map(revive),
    actions: b.actions,
    masks: b.masks.map((m) => m ?? undefined),
    rewards: b.rewards,
    dones: b.dones,
    bootstrapObservations: b.bootstrapObservations.map((o) => (o === null ? null : revive(o))),
  };
}

let scratch = new Float64Array(0);
function scratchFeatures(n: number): Float64Array {
  if (scratch.length !== n) scratch = new Float64Array(n);
  return scratch;
}
