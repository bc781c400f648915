import {
  EnvContractError,
  InvalidActionError,
  InvalidConfigError,
  describeValue,
  type Rng,
} from '../../src/index';
import { checkFeatureVector } from '../features';
import type { ActionMask } from '../exploration';

/**
 * A policy `pi(a | s) = softmax(z(s))_a` whose logits `z` are differentiable in a flat
 * parameter vector, with the gradient written analytically in plain TypeScript.
 */
export interface DifferentiablePolicy<Obs> {
  /** Policy kind, e.g. `'linear'`. */
  readonly kind: string;
  /** Number of actions. */
  readonly nActions: number;
  /** Number of features of `writeFeatures` (used by value baselines and critics). */
  readonly nFeatures: number;
  /** Every parameter, flat; optimisers update it in place. */
  readonly params: Float64Array;
  /** Writes the logits of `observation` into `out` (length `nActions`). */
  logits(observation: Obs, out: Float64Array): void;
  /**
   * Adds `sum_b coefficients[b] * d z_b / d params` to `grad`. With
   * `coefficients[b] = weight * (1[b = a] - pi_b)` this adds `weight * grad log pi(a | s)`.
   */
  accumulateGradient(observation: Obs, coefficients: Float64Array, grad: Float64Array): void;
  /** Writes the feature vector of `observation` (length `nFeatures`), for baselines/critics. */
  writeFeatures(observation: Obs, out: Float64Array): void;
  /** Throws when `observation` is malformed (NaN features, bad index). */
  checkObservation(observation: Obs): void;
  /** Shape of the policy as JSON, for configs. */
  config(): Record<string, unknown>;
}

function positiveInt(value: unknown, name: string): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw new InvalidConfigError(
      `${name} must be a positive integer; received ${describeValue(value)}.`,
    );
  }
  return value;
}

/**
 * One logit per state and action: `z_b(s) = theta[s, b]`. The gradient of `z_b(s)` is the
 * indicator of entry (s, b), so `grad log pi(a | s)` is `1[b = a] - pi(b | s)` on row s
 * (Sutton and Barto, section 13.1, softmax in action preferences).
 */
export class TabularSoftmaxPolicy implements DifferentiablePolicy<number> {
  readonly kind = 'tabular';
  readonly params: Float64Array;

  /**
   * @param nStates - number of states, a positive integer.
   * @param nActions - number of actions, a positive integer.
   * @throws InvalidConfigError for non-positive sizes.
   */
  constructor(
    readonly nStates: number,
    readonly nActions: number,
  ) {
    positiveInt(nStates, 'nStates');
    positiveInt(nActions, 'nActions');
    this.params = new Float64Array(nStates * nActions);
  }

  get nFeatures(): number {
    return this.nStates;
  }

  logits(state: number, out: Float64Array): void {
    const o = state * this.nActions;
    for (let b = 0; b < this.nActions; b++) out[b] = this.params[o + b];
  }

  accumulateGradient(state: number, coefficients: Float64Array, grad: Float64Array): void {
    const o = state * this.nActions;
    for (let b = 0; b < this.nActions; b++) grad[o + b] += coefficients[b];
  }

  writeFeatures(state: number, out: Float64Array): void {
    out.fill(0);
    out[state] = 1;
  }

  checkObservation(state: number): void {
    if (!Number.isInteger(state) || state < 0 || state >= this.nStates) {
      throw new EnvContractError(
        `observation must be a state index in 0..${this.nStates - 1}; received ` +
          `${describeValue(state)}. A tabular policy needs a Discrete observation space.`,
      );
    }
  }

  config(): Record<string, unknown> {
    return { kind: this.kind, nStates: this.nStates, nActions: this.nActions };
  }
}

/**
 * Linear softmax on features plus a bias: `z_b(x) = sum_i W[b, i] x_i + W[b, d]`, so
 * `d z_b / d W[b, i] = x_i` and `grad log pi(a | x)` on row b is `(1[b = a] - pi_b) [x, 1]`
 * (Sutton and Barto, eq. 13.9). Parameters are stored row by row, `nFeatures + 1` per action.
 */
export class LinearSoftmaxPolicy implements DifferentiablePolicy<ArrayLike<number>> {
  readonly kind = 'linear';
  readonly params: Float64Array;
  /** Features plus the bias input. */
  readonly nFeatures: number;

  /**
   * @param inputSize - length of the observation vector.
   * @param nActions - number of actions.
   * @param options - `initStd`: standard deviation of the initial weights (0 = all zero,
   *   a uniform policy) @defaultValue 0; `rng` draws them.
   * @throws InvalidConfigError for non-positive sizes, or `initStd > 0` without `rng`.
   */
  constructor(
    readonly inputSize: number,
    readonly nActions: number,
    options: { initStd?: number; rng?: Rng } = {},
  ) {
    positiveInt(inputSize, 'inputSize');
    positiveInt(nActions, 'nActions');
    this.nFeatures = inputSize + 1;
    this.params = new Float64Array(this.nFeatures * nActions);
    const std = options.initStd ?? 0;
    if (std > 0) {
      if (!options.rng) throw new InvalidConfigError('initStd > 0 needs an rng option.');
      for (let k = 0; k < this.params.length; k++) this.params[k] = options.rng.normal(0, std);
    }
  }

  logits(x: ArrayLike<number>, out: Float64Array): void {
    const d = this.inputSize;
    const w = this.params;
    for (let b = 0, o = 0; b < this.nActions; b++, o += d + 1) {
      let z = w[o + d];
      for (let i = 0; i < d; i++) z += w[o + i] * x[i];
      out[b] = z;
    }
  }

  accumulateGradient(x: ArrayLike<number>, coefficients: Float64Array, grad: Float64Array): void {
    const d = this.inputSize;
    for (let b = 0, o = 0; b < this.nActions; b++, o += d + 1) {
      const c = coefficients[b];
      if (c === 0) continue;
      for (let i = 0; i < d; i++) grad[o + i] += c * x[i];
      grad[o + d] += c;
    }
  }

  writeFeatures(x: ArrayLike<number>, out: Float64Array): void {
    for (let i = 0; i < this.inputSize; i++) out[i] = x[i];
    out[this.inputSize] = 1;
  }

  checkObservation(x: ArrayLike<number>): void {
    checkFeatureVector(x, this.inputSize);
  }

  config(): Record<string, unknown> {
    return { kind: this.kind, inputSize: this.inputSize, nActions: this.nActions };
  }
}

/**
 * Masked, numerically stable softmax of `logits` into `probs` and `log pi` into `logProbs`
 * (PITFALLS P12): masked actions get probability 0 and log-probability -Infinity.
 *
 * @returns the entropy of the distribution, in nats.
 * @throws InvalidConfigError when a logit is not finite (the parameters are corrupt);
 *   InvalidActionError when the mask leaves no legal action.
 */
export function maskedSoftmax(
  logits: Float64Array,
  probs: Float64Array,
  logProbs: Float64Array,
  mask?: ActionMask,
): number {
  let max = -Infinity;
  for (let b = 0; b < logits.length; b++) {
    if (!Number.isFinite(logits[b])) throw nonFiniteLogit(b, logits[b]);
    if ((!mask || mask[b]) && logits[b] > max) max = logits[b];
  }
  if (max === -Infinity) throw noLegalAction(mask);
  let sum = 0;
  for (let b = 0; b < logits.length; b++) {
    if (!mask || mask[b]) sum += Math.exp(logits[b] - max);
  }
  const logSum = max + Math.log(sum);
  let entropy = 0;
  for (let b = 0; b < logits.length; b++) {
    const legal = !mask || mask[b];
    logProbs[b] = legal ? logits[b] - logSum : -Infinity;
    probs[b] = legal ? Math.exp(logProbs[b]) : 0;
    if (probs[b] > 0) entropy -= probs[b] * logProbs[b];
  }
  return entropy;
}

function nonFiniteLogit(b: number, value: number): InvalidConfigError {
  return new InvalidConfigError(
    `logit of action ${b} is ${value}: the policy parameters are no longer finite. ` +
      'Lower the learning rate or enable return normalisation, then restart from a checkpoint.',
  );
}

function noLegalAction(mask: ActionMask | undefined): InvalidActionError {
  return new InvalidActionError(
    `info.actionMask leaves no legal action (received ${describeValue(mask)}); at least one ` +
      'entry must be 1. Fix the env that built the mask.',
  );
}

/**
 * Fills `coefficients` so that `accumulateGradient` adds
 * `weight * grad log pi(a | s) + entropyCoef * grad H(pi(. | s))`. For a softmax,
 * `d log pi_a / d z_b = 1[b = a] - pi_b` and `d H / d z_b = -pi_b (log pi_b + H)`
 * (masked actions have `pi_b = 0` and get 0).
 */
export function logProbCoefficients(
  action: number,
  weight: number,
  probs: Float64Array,
  logProbs: Float64Array,
  entropyTerm: { coef: number; entropy: number },
  coefficients: Float64Array,
): void {
  const { coef, entropy } = entropyTerm;
  for (let b = 0; b < probs.length; b++) {
    const p = probs[b];
    let c = weight * ((b === action ? 1 : 0) - p);
    if (coef !== 0 && p > 0) c -= coef * p * (logProbs[b] + entropy);
    coefficients[b] = c;
  }
}

/**
 * Samples an action from `probs` with one uniform draw (inverse CDF), never a masked one.
 *
 * @returns the index drawn.
 */
export function sampleAction(probs: Float64Array, rng: Rng): number {
  let u = rng.random();
  let last = 0;
  for (let b = 0; b < probs.length; b++) {
    if (probs[b] <= 0) continue;
    last = b;
    u -= probs[b];
    if (u < 0) return b;
  }
  return last;
}

/** Index of the largest probability, lowest index on ties (deterministic evaluation). */
export function greedyAction(probs: Float64Array): number {
  let best = 0;
  for (let b = 1; b < probs.length; b++) if (probs[b] > probs[best]) best = b;
  return best;
}
