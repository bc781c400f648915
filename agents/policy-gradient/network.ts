import * as tf from '@tensorflow/tfjs';
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
  type VectorEnv,
} from '../../src/index';
import type { ActionMask } from '../exploration';
import { checkFeatureVector } from '../features';
import { AscentOptimizer } from './optim';
import { greedyAction, maskedSoftmax, sampleAction } from './policy';
import { checkReward, checkUnitInterval, copyObservation } from './reinforce';
import { normalizeReturns, rewardToGo } from './returns';

/** Options of {@link NetworkReinforceAgent}. */
export interface NetworkReinforceOptions {
  /** Length of the observation vector. */
  inputSize: number;
  /** Number of actions. */
  nActions: number;
  /** Units of each tanh hidden layer. @defaultValue [32] */
  hiddenUnits?: number[];
  /** Adam step size. @defaultValue 0.01 */
  learningRate?: number;
  /** Discount gamma in [0, 1]. @defaultValue 0.99 */
  gamma?: number;
  /** Episodes per update. @defaultValue 8 */
  batchEpisodes?: number;
  /** Z-score the reward-to-go over the batch (PITFALLS P10, P11). @defaultValue true */
  normalizeReturns?: boolean;
  /** Weight of the entropy bonus. @defaultValue 0 */
  entropyCoef?: number;
  /** Seeds the weight initialisers and the action sampler. @defaultValue 0 */
  seed?: number;
}

const OPTIONS = [
  'inputSize',
  'nActions',
  'hiddenUnits',
  'learningRate',
  'gamma',
  'batchEpisodes',
  'normalizeReturns',
  'entropyCoef',
  'seed',
];

/** One finished episode for {@link NetworkReinforceAgent.addEpisode}. */
export interface PolicyEpisode {
  /** Observations the actions were chosen from. */
  observations: ArrayLike<number>[];
  /** Actions taken. */
  actions: number[];
  /** Rewards received. */
  rewards: number[];
  /** Masks in force (undefined where none). */
  masks: (ActionMask | undefined)[];
}

let cpuReady: Promise<void> | undefined;

/**
 * Selects TF.js's plain-JavaScript `cpu` backend (deterministic, and for a network this small
 * faster than the per-call overhead of the others). Call once before building the agent.
 */
export async function useCpuBackend(): Promise<void> {
  cpuReady ??= tf.setBackend('cpu').then(() => tf.ready());
  await cpuReady;
  if (tf.getBackend() !== 'cpu') await tf.setBackend('cpu');
}

/**
 * REINFORCE with a small TensorFlow.js network policy: tanh hidden layers, softmax over
 * masked logits, loss `-mean_t log pi(a_t|s_t) * A_t - entropyCoef * mean_t H`, with `A_t` the
 * reward-to-go z-scored over the batch (Williams, 1992). Gradients come from TF.js; acting runs
 * the same network in plain TypeScript on a copy of the weights refreshed after each update,
 * so a batch of observations from a vector env costs no tensor allocation.
 *
 * Optimiser: TF.js computes the gradient (`tf.variableGrads`), but the Adam step is taken by
 * {@link AscentOptimizer} on a float64 master copy of the weights, which are then written to
 * the float32 network. TF.js's own optimisers expose their moments only through async
 * `getWeights`/`setWeights`, which the synchronous `getState`/`setState` of the Agent protocol
 * cannot await; with the moments held as plain arrays a checkpoint is complete and exact.
 * (TF.js's Adam used epsilon 1e-7; this one uses Kingma and Ba's 1e-8.)
 *
 * NaN guard: a gradient with a non-finite entry is rejected before any weight changes, with
 * an `InvalidConfigError` (see {@link AscentOptimizer.step}).
 * Call {@link useCpuBackend} first. Dispose with {@link NetworkReinforceAgent.dispose}.
 */
export class NetworkReinforceAgent implements Agent<ArrayLike<number>, number> {
  readonly name = 'NetworkReinforce';
  private readonly options: Required<NetworkReinforceOptions>;
  private readonly model: tf.Sequential;
  private readonly optimizer: AscentOptimizer;
  /** Every weight, layer by layer (kernel then bias), in float64: the optimiser's copy. */
  private readonly params: Float64Array;
  private readonly shapes: number[][];
  private layers: { w: Float32Array; b: Float32Array; rows: number; cols: number }[] = [];
  private rng: Rng;
  private batch: PolicyEpisode[] = [];
  private current: PolicyEpisode = emptyEpisode();
  private updates = 0;
  private readonly logits: Float64Array;
  private readonly probs: Float64Array;
  private readonly logProbs: Float64Array;

  /**
   * @param options - see {@link NetworkReinforceOptions}.
   * @throws InvalidConfigError for unknown options or out-of-range values.
   */
  constructor(options: NetworkReinforceOptions) {
    rejectUnknownOptions(options, OPTIONS, 'NetworkReinforceAgent options');
    this.options = resolveOptions(options);
    const { inputSize, nActions, hiddenUnits, seed } = this.options;
    this.model = tf.sequential();
    let inputs = inputSize;
    hiddenUnits.forEach((units, k) => {
      const init = tf.initializers.glorotUniform({ seed: seed * 1000 + k });
      this.model.add(
        tf.layers.dense({
          units,
          inputShape: [inputs],
          activation: 'tanh',
          kernelInitializer: init,
        }),
      );
      inputs = units;
    });
    const init = tf.initializers.glorotUniform({ seed: seed * 1000 + 999 });
    this.model.add(
      tf.layers.dense({ units: nActions, inputShape: [inputs], kernelInitializer: init }),
    );
    const initial = this.model.getWeights();
    this.shapes = initial.map((w) => w.shape);
    this.params = new Float64Array(initial.reduce((n, w) => n + w.size, 0));
    let offset = 0;
    for (const w of initial) {
      this.params.set(w.dataSync(), offset);
      offset += w.size;
    }
    this.optimizer = new AscentOptimizer(this.params.length, 'adam', this.options.learningRate);
    this.rng = new Rng(seed).spawn('network-policy');
    this.logits = new Float64Array(nActions);
    this.probs = new Float64Array(nActions);
    this.logProbs = new Float64Array(nActions);
    this.writeWeights();
  }

  config(): Record<string, unknown> {
    return { ...this.options, policy: 'network' };
  }

  /** Writes the float64 master weights to the network (as float32) and to the acting cache. */
  private writeWeights(): void {
    const values: Float32Array[] = [];
    let offset = 0;
    for (const shape of this.shapes) {
      const size = shape.reduce((a, b) => a * b, 1);
      values.push(Float32Array.from(this.params.subarray(offset, offset + size)));
      offset += size;
    }
    const tensors = values.map((v, k) => tf.tensor(v, this.shapes[k], 'float32'));
    this.model.setWeights(tensors);
    tensors.forEach((t) => t.dispose());
    this.layers = [];
    for (let k = 0; k < values.length; k += 2) {
      const [rows, cols] = this.shapes[k];
      this.layers.push({ w: values[k], b: values[k + 1], rows, cols });
    }
  }

  /** Logits of one observation, computed in plain TypeScript from the cached weights. */
  forward(observation: ArrayLike<number>, out: Float64Array): void {
    let x: ArrayLike<number> = observation;
    this.layers.forEach((layer, k) => {
      const last = k === this.layers.length - 1;
      const y = last ? out : new Float64Array(layer.cols);
      for (let j = 0; j < layer.cols; j++) {
        let z = layer.b[j];
        for (let i = 0; i < layer.rows; i++) z += x[i] * layer.w[i * layer.cols + j];
        y[j] = last ? z : Math.tanh(z);
      }
      x = y;
    });
  }

  act(observation: ArrayLike<number>, info: Info, explore: boolean): ActResult<number> {
    checkFeatureVector(observation, this.options.inputSize);
    this.forward(observation, this.logits);
    maskedSoftmax(this.logits, this.probs, this.logProbs, info.actionMask as ActionMask);
    const action = explore ? sampleAction(this.probs, this.rng) : greedyAction(this.probs);
    return { action, actionProb: this.probs[action] };
  }

  learn(e: Experience<ArrayLike<number>, number>): Record<string, number> | void {
    checkReward(e.reward);
    checkFeatureVector(e.observation, this.options.inputSize);
    this.current.observations.push(copyObservation(e.observation));
    this.current.actions.push(e.action);
    this.current.rewards.push(e.reward);
    this.current.masks.push(e.info.actionMask as ActionMask | undefined);
    if (!e.terminated && !e.truncated) return;
    const episode = this.current;
    this.current = emptyEpisode();
    return this.addEpisode(episode);
  }

  /**
   * Adds a finished episode to the batch; updates the network once `batchEpisodes` are in.
   *
   * @returns `{ loss, entropy }` after an update, otherwise nothing.
   */
  addEpisode(episode: PolicyEpisode): Record<string, number> | void {
    episode.rewards.forEach(checkReward);
    this.batch.push(episode);
    if (this.batch.length < this.options.batchEpisodes) return;
    const result = this.update(this.batch);
    this.batch = [];
    return result;
  }

  private update(episodes: PolicyEpisode[]): Record<string, number> {
    const { inputSize, nActions, gamma } = this.options;
    const steps = episodes.reduce((n, e) => n + e.actions.length, 0);
    const x = new Float32Array(steps * inputSize);
    const maskPenalty = new Float32Array(steps * nActions);
    const actions = new Int32Array(steps);
    const weights = new Float64Array(steps);
    let t = 0;
    for (const e of episodes) {
      const returns = rewardToGo(e.rewards, undefined, gamma);
      for (let k = 0; k < e.actions.length; k++, t++) {
        for (let i = 0; i < inputSize; i++) x[t * inputSize + i] = e.observations[k][i];
        const mask = e.masks[k];
        for (let a = 0; a < nActions; a++)
          maskPenalty[t * nActions + a] = mask && !mask[a] ? -1e9 : 0;
        actions[t] = e.actions[k];
        weights[t] = returns[k];
      }
    }
    if (this.options.normalizeReturns) normalizeReturns(weights, weights);
    return this.gradientStep({ x, maskPenalty, actions, weights, steps });
  }

  private gradientStep(d: {
    x: Float32Array;
    maskPenalty: Float32Array;
    actions: Int32Array;
    weights: Float64Array;
    steps: number;
  }): Record<string, number> {
    const { inputSize, nActions, entropyCoef } = this.options;
    const variables = this.model.trainableWeights.map((w) => w.read() as tf.Variable);
    const ascent = new Float64Array(this.params.length);
    let loss = 0;
    let entropy = 0;
    tf.tidy(() => {
      const xs = tf.tensor2d(d.x, [d.steps, inputSize]);
      const penalty = tf.tensor2d(d.maskPenalty, [d.steps, nActions]);
      const chosen = tf.oneHot(tf.tensor1d(d.actions, 'int32'), nActions);
      const w = tf.tensor1d(Float32Array.from(d.weights));
      const { value, grads } = tf.variableGrads(() => {
        const logits = (this.model.apply(xs) as tf.Tensor2D).add(penalty);
        const logp = tf.logSoftmax(logits);
        const h = tf.neg(tf.sum(tf.mul(tf.exp(logp), logp), 1)).mean();
        const score = tf.sum(tf.mul(chosen, logp), 1);
        entropy = h.dataSync()[0];
        return tf.neg(tf.mean(tf.mul(score, w))).sub(tf.mul(entropyCoef, h)) as tf.Scalar;
      }, variables);
      loss = value.dataSync()[0];
      // The optimiser ascends J = -loss, so it takes the negated loss gradient.
      let offset = 0;
      for (const v of variables) {
        const g = grads[v.name].dataSync();
        for (let k = 0; k < g.length; k++) ascent[offset + k] = -g[k];
        offset += g.length;
      }
    });
    this.optimizer.step(this.params, ascent);
    this.updates++;
    this.writeWeights();
    return { loss, entropy };
  }

  metrics(): Record<string, number> {
    return { updates: this.updates };
  }

  /**
   * Everything an exact resume needs, as JSON: the float64 weights, Adam's moments and step
   * count, the finished episodes waiting in the batch, the steps of the running episode, the
   * sampler's state and the update count.
   */
  getState(): NetworkReinforceState {
    return {
      format: 'tsgym-network-reinforce/2',
      shapes: this.shapes.map((shape) => shape.slice()),
      params: Array.from(this.params),
      optimizer: this.optimizer.getState(),
      rng: this.rng.getState(),
      updates: this.updates,
      batch: this.batch.map(episodeToJSON),
      current: episodeToJSON(this.current),
    };
  }

  /**
   * Restores {@link NetworkReinforceAgent.getState} of an agent built with the same
   * `inputSize`, `nActions` and `hiddenUnits`; training then continues exactly as if never
   * stopped, even mid-batch or mid-episode.
   *
   * @throws InvalidConfigError for a state of another format or network shape.
   */
  setState(state: unknown): void {
    const s = state as NetworkReinforceState;
    const sameShape = JSON.stringify(s?.shapes) === JSON.stringify(this.shapes);
    if (s?.format !== 'tsgym-network-reinforce/2' || !sameShape) {
      throw new InvalidConfigError(
        'state must come from NetworkReinforceAgent.getState() (format ' +
          `'tsgym-network-reinforce/2') of an agent with layer shapes ` +
          `${JSON.stringify(this.shapes)}; received ${describeValue(state)}. Build the agent ` +
          'with the inputSize, nActions and hiddenUnits of the saved run.',
      );
    }
    this.params.set(s.params);
    this.optimizer.setState(s.optimizer);
    this.rng = Rng.fromState(s.rng);
    this.updates = s.updates;
    this.batch = s.batch.map(episodeFromJSON);
    this.current = episodeFromJSON(s.current);
    this.writeWeights();
  }

  /** Frees the TF.js model. */
  dispose(): void {
    this.model.dispose();
  }
}

/** An episode of {@link PolicyEpisode} as plain JSON lists (`null` where no mask). */
export interface PolicyEpisodeJSON {
  /** Observations. */
  observations: number[][];
  /** Actions. */
  actions: number[];
  /** Rewards. */
  rewards: number[];
  /** Masks, null where none was in force. */
  masks: (number[] | null)[];
}

/** The JSON checkpoint of a {@link NetworkReinforceAgent}. */
export interface NetworkReinforceState {
  /** Format tag. */
  format: 'tsgym-network-reinforce/2';
  /** Shape of every weight tensor, kernel then bias per layer. */
  shapes: number[][];
  /** Every weight, flat, in the order of `shapes` (float64 master copy). */
  params: number[];
  /** Adam's step count and moment estimates, flat like `params`. */
  optimizer: { t: number; m: number[]; v: number[] };
  /** Sampling generator. */
  rng: RngState;
  /** Updates so far. */
  updates: number;
  /** Finished episodes waiting for the next update. */
  batch: PolicyEpisodeJSON[];
  /** Steps of the episode running when the state was taken. */
  current: PolicyEpisodeJSON;
}

function episodeToJSON(e: PolicyEpisode): PolicyEpisodeJSON {
  return {
    observations: e.observations.map((o) => Array.from(o)),
    actions: e.actions.slice(),
    rewards: e.rewards.slice(),
    masks: e.masks.map((m) => (m ? Array.from(m, Number) : null)),
  };
}

function episodeFromJSON(e: PolicyEpisodeJSON): PolicyEpisode {
  return {
    observations: e.observations.map((o) => Float32Array.from(o)),
    actions: e.actions.slice(),
    rewards: e.rewards.slice(),
    masks: e.masks.map((m) => m ?? undefined),
  };
}

function resolveOptions(o: NetworkReinforceOptions): Required<NetworkReinforceOptions> {
  for (const name of ['inputSize', 'nActions'] as const) {
    if (!Number.isInteger(o[name]) || o[name] <= 0) {
      throw new InvalidConfigError(
        `${name} must be a positive integer; received ${describeValue(o[name])}.`,
      );
    }
  }
  const resolved = {
    hiddenUnits: [32],
    learningRate: 0.01,
    gamma: 0.99,
    batchEpisodes: 8,
    normalizeReturns: true,
    entropyCoef: 0,
    seed: 0,
    ...o,
  };
  checkUnitInterval(resolved.gamma, 'gamma');
  if (!(resolved.learningRate > 0)) {
    throw new InvalidConfigError(
      `learningRate must be > 0; received ${describeValue(resolved.learningRate)}.`,
    );
  }
  return resolved;
}

function emptyEpisode(): PolicyEpisode {
  return { observations: [], actions: [], rewards: [], masks: [] };
}

/** Result of {@link trainOnVectorEnv}. */
export interface VectorTrainResult {
  /** Episodes finished. */
  episodes: number;
  /** Env steps taken over all sub-envs. */
  steps: number;
  /** Return of every finished episode, in order of completion. */
  returns: number[];
  /** Wall time in seconds. */
  elapsedSeconds: number;
}

/**
 * Trains a {@link NetworkReinforceAgent} on a vector env: one batched action choice per step
 * for every sub-env, each sub-env's episode handed to the agent when it ends. Handles both
 * autoreset modes of `SyncVectorEnv`.
 *
 * @param options - `episodes` to finish, `seed` for the first reset, `onEpisode` per return.
 */
export function trainOnVectorEnv(
  vec: VectorEnv<ArrayLike<number>, number>,
  agent: NetworkReinforceAgent,
  options: { episodes: number; seed: number; onEpisode?: (episodeReturn: number) => void },
): VectorTrainResult {
  const start = performance.now();
  const n = vec.numEnvs;
  const sameStep = vec.metadata.autoresetMode === 'same-step';
  let { observations, infos } = vec.reset({ seed: options.seed });
  const open = Array.from({ length: n }, emptyEpisode);
  const skip = new Array<boolean>(n).fill(false);
  const returns: number[] = [];
  const actions = new Array<number>(n);
  let steps = 0;
  while (returns.length < options.episodes) {
    for (let i = 0; i < n; i++) actions[i] = agent.act(observations[i], infos[i], true).action;
    const r = vec.step(actions);
    for (let i = 0; i < n; i++) {
      if (skip[i]) {
        skip[i] = false;
        continue;
      }
      steps++;
      const e = open[i];
      e.observations.push(copyObservation(observations[i]));
      e.actions.push(actions[i]);
      e.rewards.push(r.rewards[i]);
      e.masks.push(infos[i].actionMask as ActionMask | undefined);
      if (!r.terminated[i] && !r.truncated[i]) continue;
      returns.push(e.rewards.reduce((a, b) => a + b, 0));
      options.onEpisode?.(returns[returns.length - 1]);
      agent.addEpisode(e);
      open[i] = emptyEpisode();
      skip[i] = !sameStep;
    }
    observations = r.observations;
    infos = r.infos;
  }
  return {
    episodes: returns.length,
    steps,
    returns,
    elapsedSeconds: (performance.now() - start) / 1000,
  };
}
