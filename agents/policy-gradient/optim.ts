import { InvalidConfigError, describeValue } from '../../src/index';

/** Optimiser kinds for the plain-TypeScript policies. */
export type OptimizerKind = 'adam' | 'sgd';

/**
 * Gradient ascent on a flat parameter vector: plain SGD, `theta += lr * g`, or Adam (Kingma
 * and Ba, "Adam: a method for stochastic optimization", 2015, algorithm 1, with beta1 0.9,
 * beta2 0.999, epsilon 1e-8), applied as ascent.
 *
 * NaN guard: a gradient with a non-finite entry throws before anything changes, so no NaN ever
 * reaches the parameters (PITFALLS P10).
 */
export class AscentOptimizer {
  private readonly m: Float64Array;
  private readonly v: Float64Array;
  private t = 0;

  /**
   * @param size - number of parameters.
   * @param kind - `'adam'` or `'sgd'`.
   * @param learningRate - step size, \> 0.
   * @throws InvalidConfigError for an unknown kind or a non-positive learning rate.
   */
  constructor(
    size: number,
    readonly kind: OptimizerKind,
    readonly learningRate: number,
  ) {
    if (kind !== 'adam' && kind !== 'sgd') {
      throw new InvalidConfigError(
        `optimizer must be 'adam' or 'sgd'; received ${describeValue(kind)}.`,
      );
    }
    if (!(learningRate > 0) || !Number.isFinite(learningRate)) {
      throw new InvalidConfigError(
        `learningRate must be a finite number > 0; received ${describeValue(learningRate)}. ` +
          'Try 0.01.',
      );
    }
    this.m = new Float64Array(kind === 'adam' ? size : 0);
    this.v = new Float64Array(kind === 'adam' ? size : 0);
  }

  /**
   * Applies one ascent step along `grad` to `params`.
   *
   * @throws InvalidConfigError when `grad` holds a non-finite entry; `params` is untouched.
   */
  step(params: Float64Array, grad: Float64Array): void {
    for (let k = 0; k < grad.length; k++) {
      if (!Number.isFinite(grad[k])) {
        throw new InvalidConfigError(
          `policy-gradient update rejected: gradient entry ${k} is ${grad[k]}, so the ` +
            'parameters were left unchanged. Check the rewards and observations for NaN or ' +
            'huge values, or lower the learning rate.',
        );
      }
    }
    if (this.kind === 'sgd') {
      for (let k = 0; k < params.length; k++) params[k] += this.learningRate * grad[k];
      return;
    }
    this.t++;
    const c1 = 1 - 0.9 ** this.t;
    const c2 = 1 - 0.999 ** this.t;
    for (let k = 0; k < params.length; k++) {
      this.m[k] = 0.9 * this.m[k] + 0.1 * grad[k];
      this.v[k] = 0.999 * this.v[k] + 0.001 * grad[k] * grad[k];
      params[k] += (this.learningRate * (this.m[k] / c1)) / (Math.sqrt(this.v[k] / c2) + 1e-8);
    }
  }

  /** Moment estimates and step count, for checkpoints. */
  getState(): { t: number; m: number[]; v: number[] } {
    return { t: this.t, m: Array.from(this.m), v: Array.from(this.v) };
  }

  /** Restores {@link AscentOptimizer.getState}. */
  setState(state: { t: number; m: number[]; v: number[] }): void {
    this.t = state.t;
    this.m.set(state.m);
    this.v.set(state.v);
  }
}
