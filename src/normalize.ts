import type { Env, ResetArgs, ResetResult, StepResult } from './env';
import { InvalidConfigError, describeValue } from './errors';
import { Box, type BoxArray } from './spaces';
import { VectorWrapper, type VectorEnv, type VectorResetArgs } from './vector';
import type { VectorResetResult, VectorStepResult } from './vector';
import { Wrapper } from './wrappers';

/** Saved state of a {@link RunningMeanStd}; JSON-serialisable. */
export interface RunningMeanStdState {
  /** Number of samples seen, plus the prior's pseudo-count. */
  count: number;
  /** Running mean of each element. */
  mean: number[];
  /** Running population variance of each element. */
  var: number[];
}

/**
 * Running mean and population variance of a stream of vectors, merged batch by batch with the
 * parallel algorithm of Chan, Golub and LeVeque (1979): for batches A and B with
 * `delta = meanB - meanA` and `n = nA + nB`,
 * `mean = meanA + delta * nB / n` and `M2 = M2A + M2B + delta^2 * nA * nB / n`, `var = M2 / n`.
 * A batch of one sample is Welford's update.
 *
 * It starts from a prior of mean 0 and variance 1 weighted as `priorCount` samples, as
 * Gymnasium's `RunningMeanStd` does (gymnasium/wrappers/utils.py, epsilon = 1e-4), so the first
 * few scaled values are not divided by a variance of 0.
 */
export class RunningMeanStd {
  /** Samples seen plus `priorCount`. */
  count: number;
  /** Running mean of each element. */
  mean: Float64Array;
  /** Running population variance of each element. */
  var: Float64Array;

  /**
   * @param size - number of elements per sample. @defaultValue 1
   * @param priorCount - weight of the mean-0, variance-1 prior. @defaultValue 1e-4
   */
  constructor(
    readonly size = 1,
    priorCount = 1e-4,
  ) {
    this.count = priorCount;
    this.mean = new Float64Array(size);
    this.var = new Float64Array(size).fill(1);
  }

  /** Adds one sample of `size` elements (Welford's update). */
  update(sample: ArrayLike<number>): void {
    this.updateBatch([sample]);
  }

  /** Adds a batch of samples at once (parallel update); an empty batch changes nothing. */
  updateBatch(samples: ArrayLike<number>[]): void {
    const nB = samples.length;
    if (nB === 0) return;
    const n = this.count + nB;
    for (let j = 0; j < this.size; j++) {
      let meanB = 0;
      for (const s of samples) meanB += s[j];
      meanB /= nB;
      let m2B = 0;
      for (const s of samples) m2B += (s[j] - meanB) ** 2;
      const delta = meanB - this.mean[j];
      const m2 = this.var[j] * this.count + m2B + (delta * delta * this.count * nB) / n;
      this.mean[j] += (delta * nB) / n;
      this.var[j] = m2 / n;
    }
    this.count = n;
  }

  /** Saves the statistics as JSON. */
  getState(): RunningMeanStdState {
    return { count: this.count, mean: Array.from(this.mean), var: Array.from(this.var) };
  }

  /**
   * Restores statistics saved by {@link RunningMeanStd.getState}.
   *
   * @throws InvalidConfigError when the state's length differs from `size`.
   */
  setState(state: RunningMeanStdState): void {
    if (state?.mean?.length !== this.size || state?.var?.length !== this.size) {
      throw new InvalidConfigError(
        `RunningMeanStd state must have mean and var of length ${this.size}; received ` +
          `${describeValue(state)}. Pass a state saved by getState() of a same-sized instance.`,
      );
    }
    this.count = state.count;
    this.mean = Float64Array.from(state.mean);
    this.var = Float64Array.from(state.var);
  }
}

/** Options of {@link NormalizeReward} and {@link NormalizeVectorReward}. */
export interface NormalizeRewardOptions {
  /** Discount of the running return whose variance scales rewards, in [0, 1]. @defaultValue 0.99 */
  gamma?: number;
  /** Added to the variance before the square root, \> 0. @defaultValue 1e-8 */
  epsilon?: number;
}

/** Saved state of a reward normaliser; JSON-serialisable. */
export interface NormalizeRewardState {
  /** Statistics of the discounted returns. */
  returnRms: RunningMeanStdState;
  /** Running discounted return of each env (one entry for a single env). */
  discountedReturns: number[];
  /** Whether each env's return restarts at 0 on its next step. */
  restartPending: boolean[];
}

function checkRewardOptions(
  options: NormalizeRewardOptions,
  where: string,
): Required<NormalizeRewardOptions> {
  const { gamma = 0.99, epsilon = 1e-8 } = options;
  if (typeof gamma !== 'number' || !(gamma >= 0 && gamma <= 1)) {
    throw new InvalidConfigError(
      `${where}: gamma must be a number in [0, 1]; received ${describeValue(gamma)}. ` +
        'Use the discount of the agent, e.g. 0.99.',
    );
  }
  if (typeof epsilon !== 'number' || !(epsilon > 0)) {
    throw new InvalidConfigError(
      `${where}: epsilon must be a positive number; received ${describeValue(epsilon)}. ` +
        'Omit it for the default 1e-8.',
    );
  }
  return { gamma, epsilon };
}

/**
 * Scales rewards so the discounted return has roughly unit variance (the reward scaling of
 * Engstrom et al. 2020, "Implementation Matters in Deep RL", section 3).
 *
 * Rule (PITFALLS P15): a running discounted return `G = gamma * G + reward` is kept, and the
 * scaled reward is `reward / sqrt(var(G) + epsilon)`, with no mean subtracted (so the sign of a
 * reward never flips; openai/baselines #538). `G` restarts at 0 after a step with `terminated`
 * OR `truncated` (the return of a cut episode must not leak into the next one; Gymnasium #1507
 * reset it on `terminated` only) and on every `reset()` (Gymnasium #760 kept it). The variance
 * is a {@link RunningMeanStd} of every `G` seen, updated before scaling. Set
 * `updateStatistics = false` to freeze it, e.g. for evaluation.
 *
 * With reward 1 on every step, gamma 0.99 and a time limit of 2: `G` reads 1, then 1.99
 * (truncated), then 1 after the reset, not 2.9701.
 *
 * @example
 * ```ts
 * const env = new NormalizeReward(make('CartPole-v1'), { gamma: 0.99 });
 * ```
 */
export class NormalizeReward<Obs, Act> extends Wrapper<Obs, Act> {
  /** Statistics of the discounted returns. */
  readonly returnRms = new RunningMeanStd(1);
  /** The running discounted return after the last step (0 after `reset`). */
  discountedReturn = 0;
  /** When false, statistics are frozen and only used for scaling. @defaultValue true */
  updateStatistics = true;
  private restartPending = false;
  private readonly gamma: number;
  private readonly epsilon: number;

  /**
   * @param env - the env whose rewards are scaled.
   * @param options - `gamma` (default 0.99) and `epsilon` (default 1e-8).
   * @throws InvalidConfigError for gamma outside [0, 1] or a non-positive epsilon.
   */
  constructor(env: Env<Obs, Act>, options: NormalizeRewardOptions = {}) {
    super(env);
    ({ gamma: this.gamma, epsilon: this.epsilon } = checkRewardOptions(options, 'NormalizeReward'));
  }

  override reset(args?: ResetArgs): ResetResult<Obs> {
    this.discountedReturn = 0;
    this.restartPending = false;
    return this.env.reset(args);
  }

  override step(action: Act): StepResult<Obs> {
    const result = this.env.step(action);
    const previous = this.restartPending ? 0 : this.discountedReturn;
    this.discountedReturn = this.gamma * previous + result.reward;
    this.restartPending = result.terminated || result.truncated;
    if (this.updateStatistics) this.returnRms.update([this.discountedReturn]);
    result.reward = result.reward / Math.sqrt(this.returnRms.var[0] + this.epsilon);

    return result;
  }

  /** Saves the statistics and the running return (for checkpoints). */
  getState(): NormalizeRewardState {
    return {
      returnRms: this.returnRms.getState(),
      discountedReturns: [this.discountedReturn],
      restartPending: [this.restartPending],
    };
  }

  /** Restores a state saved by {@link NormalizeReward.getState}. */
  setState(state: NormalizeRewardState): void {
    this.returnRms.setState(state.returnRms);
    this.discountedReturn = state.discountedReturns[0];
    this.restartPending = state.restartPending[0];
  }
}

/**
 * The vector form of {@link NormalizeReward}, with the same rule applied to each sub-env's own
 * running return and one shared {@link RunningMeanStd} updated with the batch of returns.
 * Under the `'next-step'` autoreset mode, the step that only restarts a sub-env (reward 0,
 * action ignored) is not a transition: that sub-env's return and the statistics are left alone.
 */
export class NormalizeVectorReward<Obs, Act> extends VectorWrapper<Obs, Act> {
  /** Statistics of the discounted returns, shared by all sub-envs. */
  readonly returnRms = new RunningMeanStd(1);
  /** Running discounted return of each sub-env. */
  readonly discountedReturns: Float64Array;
  /** When false, statistics are frozen and only used for scaling. @defaultValue true */
  updateStatistics = true;
  private readonly restartPending: boolean[];
  private readonly gamma: number;
  private readonly epsilon: number;

  /**
   * @param env - the vector env whose rewards are scaled.
   * @param options - `gamma` (default 0.99) and `epsilon` (default 1e-8).
   * @throws InvalidConfigError for gamma outside [0, 1] or a non-positive epsilon.
   */
  constructor(env: VectorEnv<Obs, Act>, options: NormalizeRewardOptions = {}) {
    super(env);
    const checked = checkRewardOptions(options, 'NormalizeVectorReward');
    ({ gamma: this.gamma, epsilon: this.epsilon } = checked);
    this.discountedReturns = new Float64Array(env.numEnvs);
    this.restartPending = new Array<boolean>(env.numEnvs).fill(false);
  }

  override reset(args?: VectorResetArgs): VectorResetResult<Obs> {
    this.discountedReturns.fill(0);
    this.restartPending.fill(false);
    return this.env.reset(args);
  }

  override step(actions: Act[]): VectorStepResult<Obs> {
    const result = this.env.step(actions);
    const nextStepMode = this.metadata.autoresetMode === 'next-step';
    const batch: number[][] = [];
    const real: boolean[] = [];
    for (let i = 0; i < this.numEnvs; i++) {
      real[i] = !(nextStepMode && this.restartPending[i]);
      const previous = this.restartPending[i] ? 0 : this.discountedReturns[i];
      this.discountedReturns[i] = real[i] ? this.gamma * previous + result.rewards[i] : 0;
      this.restartPending[i] = result.terminated[i] || result.truncated[i];
      if (real[i]) batch.push([this.discountedReturns[i]]);
    }
    if (this.updateStatistics) this.returnRms.updateBatch(batch);
    const scale = 1 / Math.sqrt(this.returnRms.var[0] + this.epsilon);
    for (let i = 0; i < this.numEnvs; i++) if (real[i]) result.rewards[i] *= scale;

    return result;
  }

  /** Saves the statistics and the running returns (for checkpoints). */
  getState(): NormalizeRewardState {
    return {
      returnRms: this.returnRms.getState(),
      discountedReturns: Array.from(this.discountedReturns),
      restartPending: [...this.restartPending],
    };
  }

  /** Restores a state saved by {@link NormalizeVectorReward.getState}. */
  setState(state: NormalizeRewardState): void {
    this.returnRms.setState(state.returnRms);
    this.discountedReturns.set(state.discountedReturns);
    state.restartPending.forEach((p, i) => (this.restartPending[i] = p));
  }
}

/** Options of {@link NormalizeObservation}. */
export interface NormalizeObservationOptions {
  /** Added to the variance before the square root, \> 0. @defaultValue 1e-8 */
  epsilon?: number;
}

/**
 * Standardises Box observations element by element: `(x - mean) / sqrt(var + epsilon)`, with a
 * {@link RunningMeanStd} updated by every observation (reset observations included) before it
 * is scaled. The new observation space is an unbounded Box of the same shape, float64 if the
 * inner Box is float64 and float32 otherwise. Set `updateStatistics = false` to freeze the
 * statistics, e.g. for evaluation.
 */
export class NormalizeObservation<Act> extends Wrapper<BoxArray, Act> {
  /** Statistics of the raw observations. */
  readonly obsRms: RunningMeanStd;
  /** When false, statistics are frozen and only used for scaling. @defaultValue true */
  updateStatistics = true;
  private readonly space: Box;
  private readonly epsilon: number;

  /**
   * @param env - an env whose observation space is a `Box`.
   * @param options - `epsilon` (default 1e-8).
   * @throws InvalidConfigError when the observation space is not a Box, or epsilon is not \> 0.
   */
  constructor(env: Env<BoxArray, Act>, options: NormalizeObservationOptions = {}) {
    super(env);
    const inner = env.observationSpace;
    if (!(inner instanceof Box)) {
      throw new InvalidConfigError(
        `NormalizeObservation needs a Box observation space; received ` +
          `${describeValue(inner?.toJSON?.())}. Wrap only envs with Box observations.`,
      );
    }
    this.epsilon = checkRewardOptions({ epsilon: options.epsilon }, 'NormalizeObservation').epsilon;
    const dtype = inner.dtype === 'float64' ? 'float64' : 'float32';
    this.space = new Box(-Infinity, Infinity, [...inner.shape], dtype);
    this.obsRms = new RunningMeanStd(inner.size);
  }

  override get observationSpace(): Box {
    return this.space;
  }

  override reset(args?: ResetArgs): ResetResult<BoxArray> {
    const r = this.env.reset(args);
    return { observation: this.normalize(r.observation), info: r.info };
  }

  override step(action: Act): StepResult<BoxArray> {
    const r = this.env.step(action);
    return { ...r, observation: this.normalize(r.observation) };
  }

  /** Saves the observation statistics (for checkpoints). */
  getState(): { obsRms: RunningMeanStdState } {
    return { obsRms: this.obsRms.getState() };
  }

  /** Restores a state saved by {@link NormalizeObservation.getState}. */
  setState(state: { obsRms: RunningMeanStdState }): void {
    this.obsRms.setState(state.obsRms);
  }

  private normalize(observation: BoxArray): BoxArray {
    if (this.updateStatistics) this.obsRms.update(observation);
    const out = this.space.zeros();
    for (let j = 0; j < out.length; j++) {
      out[j] =
        (observation[j] - this.obsRms.mean[j]) / Math.sqrt(this.obsRms.var[j] + this.epsilon);
    }
    return out;
  }
}
