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
import type { ActionMask } from '../exploration';
import { AscentOptimizer, type OptimizerKind } from './optim';
import {
  greedyAction,
  logProbCoefficients,
  maskedSoftmax,
  sampleAction,
  type DifferentiablePolicy,
} from './policy';
import { checkReward, checkUnitInterval } from './reinforce';

/** Options of {@link ActorCriticAgent}. */
export interface ActorCriticOptions<Obs> {
  /** The actor. */
  policy: DifferentiablePolicy<Obs>;
  /** Discount gamma in [0, 1]. @defaultValue 0.99 */
  gamma?: number;
  /** Actor step size. @defaultValue 0.01 */
  learningRate?: number;
  /** Actor optimiser. @defaultValue 'adam' */
  optimizer?: OptimizerKind;
  /** Critic NLMS step size, in (0, 2). @defaultValue 0.1 */
  criticLearningRate?: number;
  /**
   * Weight the actor's score by the advantage `Q(s, a) - sum_b pi(b|s) Q(s, b)` (true) or by
   * `Q(s, a)` itself, the literal form of the policy gradient theorem (false). Both are
   * unbiased for an exact critic; the advantage has lower variance. @defaultValue true
   */
  advantage?: boolean;
  /** Weight of the entropy bonus. @defaultValue 0 */
  entropyCoef?: number;
  /** Draws the sampled actions. @defaultValue a `new Rng()` seeded from OS entropy */
  rng?: Rng;
}

const OPTIONS = [
  'policy',
  'gamma',
  'learningRate',
  'optimizer',
  'criticLearningRate',
  'advantage',
  'entropyCoef',
  'rng',
];

/**
 * One-step actor-critic with an action-value critic (Sutton and Barto, section 13.5; Konda
 * and Tsitsiklis, "Actor-critic algorithms", 2000). The critic is linear in the policy's
 * features, `Q(s, a) = w_a . phi(s)`, trained by expected SARSA,
 * `delta = r + gamma * (1 - terminated) * sum_b pi(b|s') Q(s', b) - Q(s, a)` (bootstrapping
 * through truncations, never through terminal states: PITFALLS P1), with a normalised LMS step.
 * The actor follows `theta += alpha * grad log pi(a|s) * (Q(s, a) - V(s))` every step.
 *
 * It learns with tabular features (CliffWalking) and on the near-myopic marketing customer view.
 * TODO(#3): a critic linear in CartPole's raw state cannot represent its values; there the actor
 * collapses (greedy return 10 to 40 after 2000 episodes). Use REINFORCE there, or add features.
 */
export class ActorCriticAgent<Obs> implements Agent<Obs, number> {
  readonly name = 'ActorCritic';
  /** The actor. */
  readonly policy: DifferentiablePolicy<Obs>;
  /** Critic weights, `nFeatures` per action, row by row. */
  readonly criticWeights: Float64Array;
  private readonly gamma: number;
  private readonly criticLearningRate: number;
  private readonly useAdvantage: boolean;
  private readonly entropyCoef: number;
  private readonly optimizer: AscentOptimizer;
  private rng: Rng;
  private readonly n: number;
  private readonly phi: Float64Array;
  private readonly logits: Float64Array;
  private readonly probs: Float64Array;
  private readonly logProbs: Float64Array;
  private readonly coefficients: Float64Array;
  private readonly grad: Float64Array;
  private lastTdError = 0;

  /**
   * @param options - see {@link ActorCriticOptions}.
   * @throws InvalidConfigError for an unknown option or an out-of-range value.
   */
  constructor(options: ActorCriticOptions<Obs>) {
    rejectUnknownOptions(options, OPTIONS, 'ActorCriticAgent options');
    if (!options.policy) throw new InvalidConfigError('ActorCriticAgent needs a policy option.');
    this.policy = options.policy;
    this.gamma = options.gamma ?? 0.99;
    checkUnitInterval(this.gamma, 'gamma');
    this.criticLearningRate = options.criticLearningRate ?? 0.1;
    if (!(this.criticLearningRate > 0 && this.criticLearningRate < 2)) {
      throw new InvalidConfigError(
        `criticLearningRate must lie in (0, 2); received ${describeValue(this.criticLearningRate)}.`,
      );
    }
    this.useAdvantage = options.advantage ?? true;
    this.entropyCoef = options.entropyCoef ?? 0;
    const lr = options.learningRate ?? 0.01;
    this.optimizer = new AscentOptimizer(
      this.policy.params.length,
      options.optimizer ?? 'adam',
      lr,
    );
    this.rng = options.rng ?? new Rng();
    this.n = this.policy.nActions;
    this.criticWeights = new Float64Array(this.policy.nFeatures * this.n);
    this.phi = new Float64Array(this.policy.nFeatures);
    this.logits = new Float64Array(this.n);
    this.probs = new Float64Array(this.n);
    this.logProbs = new Float64Array(this.n);
    this.coefficients = new Float64Array(this.n);
    this.grad = new Float64Array(this.policy.params.length);
  }

  config(): Record<string, unknown> {
    return {
      policy: this.policy.config(),
      gamma: this.gamma,
      learningRate: this.optimizer.learningRate,
      optimizer: this.optimizer.kind,
      criticLearningRate: this.criticLearningRate,
      advantage: this.useAdvantage,
      entropyCoef: this.entropyCoef,
    };
  }

  act(observation: Obs, info: Info, explore: boolean): ActResult<number> {
    this.policy.checkObservation(observation);
    this.policy.logits(observation, this.logits);
    maskedSoftmax(this.logits, this.probs, this.logProbs, info.actionMask as ActionMask);
    const action = explore ? sampleAction(this.probs, this.rng) : greedyAction(this.probs);
    return { action, actionProb: this.probs[action] };
  }

  /** The critic's Q(s, a) for every action, into `out`. */
  qValues(observation: Obs, out: Float64Array = new Float64Array(this.n)): Float64Array {
    this.policy.writeFeatures(observation, this.phi);
    const d = this.phi.length;
    for (let a = 0; a < this.n; a++) {
      let q = 0;
      for (let i = 0; i < d; i++) q += this.criticWeights[a * d + i] * this.phi[i];
      out[a] = q;
    }
    return out;
  }

  learn(e: Experience<Obs, number>): Record<string, number> {
    checkReward(e.reward);
    this.policy.checkObservation(e.observation);
    let target = e.reward;
    if (!e.terminated) {
      this.policy.checkObservation(e.nextObservation);
      target += this.gamma * this.expectedValue(e.nextObservation, e.nextInfo);
    }
    const q = this.qValues(e.observation);
    this.actorStep(e, q);
    this.criticStep(e.observation, e.action, target - q[e.action]);

    return { tdError: this.lastTdError };
  }

  private expectedValue(observation: Obs, info: Info): number {
    const q = this.qValues(observation);
    this.policy.logits(observation, this.logits);
    maskedSoftmax(this.logits, this.probs, this.logProbs, info.actionMask as ActionMask);
    let v = 0;
    for (let a = 0; a < this.n; a++) if (this.probs[a] > 0) v += this.probs[a] * q[a];
    return v;
  }

  private actorStep(e: Experience<Obs, number>, q: Float64Array): void {
    this.policy.logits(e.observation, this.logits);
    const mask = e.info.actionMask as ActionMask;
    const entropy = maskedSoftmax(this.logits, this.probs, this.logProbs, mask);
    let baseline = 0;
    if (this.useAdvantage) for (let a = 0; a < this.n; a++) baseline += this.probs[a] * q[a];
    const weight = q[e.action] - baseline;
    const term = { coef: this.entropyCoef, entropy };
    logProbCoefficients(e.action, weight, this.probs, this.logProbs, term, this.coefficients);
    this.grad.fill(0);
    this.policy.accumulateGradient(e.observation, this.coefficients, this.grad);
    this.optimizer.step(this.policy.params, this.grad);
  }

  // Normalised LMS on the chosen action's row: w_a += mu * delta * phi / (1 + |phi|^2).
  private criticStep(observation: Obs, action: number, tdError: number): void {
    this.lastTdError = tdError;
    this.policy.writeFeatures(observation, this.phi);
    let norm = 1;
    for (let i = 0; i < this.phi.length; i++) norm += this.phi[i] * this.phi[i];
    const step = (this.criticLearningRate * tdError) / norm;
    if (!Number.isFinite(step)) {
      throw new InvalidConfigError(
        `critic update rejected: TD error ${tdError} is not finite; the critic is unchanged. ` +
          'Check the rewards and observations, or lower criticLearningRate.',
      );
    }
    const o = action * this.phi.length;
    for (let i = 0; i < this.phi.length; i++) this.criticWeights[o + i] += step * this.phi[i];
  }

  metrics(): Record<string, number> {
    return { tdError: this.lastTdError };
  }

  getState(): ActorCriticState {
    return {
      format: 'tsgym-actor-critic/1',
      params: Array.from(this.policy.params),
      criticWeights: Array.from(this.criticWeights),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
    };
  }

  setState(state: unknown): void {
    const s = state as ActorCriticState;
    if (s?.format !== 'tsgym-actor-critic/1' || s.params.length !== this.policy.params.length) {
      throw new InvalidConfigError(
        'state must come from getState() of an ActorCriticAgent with the same policy shape; ' +
          `received ${describeValue(state)}.`,
      );
    }
    this.policy.params.set(s.params);
    this.criticWeights.set(s.criticWeights);
    this.optimizer.setState(s.optimizer);
    this.rng = Rng.fromState(s.rng);
  }
}

/** The JSON checkpoint of an {@link ActorCriticAgent}. */
export interface ActorCriticState {
  /** Format tag. */
  format: 'tsgym-actor-critic/1';
  /** Actor parameters. */
  params: number[];
  /** Critic weights. */
  criticWeights: number[];
  /** Actor optimiser moments. */
  optimizer: { t: number; m: number[]; v: number[] };
  /** Sampling generator. */
  rng: RngState;
}
