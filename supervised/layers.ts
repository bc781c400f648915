/**
 * Seeded randomness inside TF.js models. TF.js draws dropout masks either from an unseeded
 * generator (the global one seeds `tf.randomUniform` when no seed is given) or, when a seed
 * is given, from the same seed on every call, i.e. the same mask at every step. Neither gives
 * "same seed, same run" with real dropout, so every random layer here draws a fresh seed per
 * call from a tsgym {@link Rng} stream, whose state is saved with the model.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, Rng, type RngState } from '../src/index';

/** A TF.js weight initialiser (the layers API does not export the class type by name). */
export type Initializer = ReturnType<typeof tf.initializers.glorotUniform>;

/** Largest seed handed to TF.js's seeded generators. */
const MAX_TF_SEED = 2 ** 31 - 1;

/** A fresh TF.js seed drawn from `rng` (never 0, which TF.js treats as "unseeded" in places). */
export function drawTfSeed(rng: Rng): number {
  return 1 + rng.int(MAX_TF_SEED - 1);
}

/** Arguments of {@link SeededDropout}. */
export interface SeededDropoutArgs {
  /** Fraction of inputs dropped during training, in [0, 1). */
  rate: number;
  /** Layer name (also names its Rng stream). */
  name?: string;
}

/**
 * Dropout (Srivastava et al., 2014) with a mask drawn from a tsgym Rng stream: a new mask at
 * every training call, the identity at inference. Kept inputs are scaled by 1 / (1 - rate).
 * The layer refuses to run in training mode before {@link attachRngs} gave it a stream, so it
 * can never fall back to TF.js's unseeded generator.
 */
export class SeededDropout extends tf.layers.Layer {
  /** Name under which TF.js serialises the class. */
  static className = 'TsgymSeededDropout';
  /** Fraction dropped. */
  readonly rate: number;
  /** The stream masks are drawn from; set by {@link attachRngs}. */
  rng: Rng | undefined;

  /** @param args - rate in [0, 1) and optional name. */
  constructor(args: SeededDropoutArgs) {
    super(args);
    if (!(args.rate >= 0 && args.rate < 1)) {
      throw new InvalidConfigError(
        `dropout rate must be in [0, 1); received ${args.rate}. Use 0 for no dropout.`,
      );
    }
    this.rate = args.rate;
    this.supportsMasking = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    const input = Array.isArray(inputs) ? inputs[0] : inputs;
    if (kwargs['training'] !== true || this.rate === 0) return input;
    if (!this.rng) {
      throw new InvalidConfigError(
        `SeededDropout '${this.name}': no Rng attached; call attachRngs(model, rng) before ` +
          `training so the dropout masks are seeded.`,
      );
    }
    const seed = drawTfSeed(this.rng);
    return tf.tidy(() => tf.dropout(input, this.rate, undefined, seed));
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), rate: this.rate };
  }
}
tf.serialization.registerClass(SeededDropout);

/** A dropout function for TF.js recurrent cells (`dropoutFunc`), seeded from `rng`. */
export function seededDropoutFunc(rng: Rng): (ones: tf.Tensor, rate: number) => tf.Tensor {
  return (ones, rate) => tf.dropout(ones, rate, undefined, drawTfSeed(rng));
}

interface RecurrentCellLike {
  dropout?: number;
  recurrentDropout?: number;
  dropoutFunc?: unknown;
}

function recurrentCell(layer: tf.layers.Layer): RecurrentCellLike | undefined {
  const cell = (layer as unknown as { cell?: RecurrentCellLike }).cell;
  return cell && typeof cell === 'object' ? cell : undefined;
}

/** Whether a layer draws random numbers in training (dropout, or an RNN with dropout). */
function isRandomLayer(layer: tf.layers.Layer): boolean {
  if (layer instanceof SeededDropout) return layer.rate > 0;
  const cell = recurrentCell(layer);
  return !!cell && ((cell.dropout ?? 0) > 0 || (cell.recurrentDropout ?? 0) > 0);
}

const streams = new WeakMap<tf.layers.Layer, Rng>();

/**
 * Gives every random layer of `model` its own Rng stream derived from `rng` and the layer name
 * (or restores saved stream states), so dropout masks are reproducible. TF.js's own `Dropout`
 * layer is rejected: it is either unseeded or repeats one mask.
 *
 * @param states - saved states by layer name, from {@link rngStates}; restores exact streams.
 * @throws InvalidConfigError when the model contains a TF.js `Dropout` layer.
 */
export function attachRngs(
  model: tf.LayersModel,
  rng: Rng,
  states: Record<string, RngState> = {},
): void {
  for (const layer of model.layers) {
    if (layer.getClassName() === 'Dropout') {
      throw new InvalidConfigError(
        `layer '${layer.name}': TF.js's Dropout layer cannot be seeded per step; build the ` +
          `model with SeededDropout instead.`,
      );
    }
    if (!isRandomLayer(layer)) continue;
    const stream = states[layer.name] ? Rng.fromState(states[layer.name]) : rng.spawn(layer.name);
    if (layer instanceof SeededDropout) layer.rng = stream;
    else recurrentCell(layer)!.dropoutFunc = seededDropoutFunc(stream);
    streams.set(layer, stream);
  }
}

/** The current states of the streams {@link attachRngs} gave `model`, by layer name. */
export function rngStates(model: tf.LayersModel): Record<string, RngState> {
  const out: Record<string, RngState> = {};
  for (const layer of model.layers) {
    const stream = streams.get(layer);
    if (stream) out[layer.name] = stream.getState();
  }
  return out;
}

/**
 * Seeded initialisers for one model: every call returns an initialiser with a new seed drawn
 * from `rng`, so each layer gets different weights and the same run seed the same weights.
 */
export class SeededInitializers {
  /** @param rng - the model's weight-initialisation stream. */
  constructor(private readonly rng: Rng) {}

  /**
   * Glorot (Xavier) uniform, Keras's default for dense and conv kernels (Glorot and Bengio, 2010).
   */
  glorotUniform(): Initializer {
    return tf.initializers.glorotUniform({ seed: drawTfSeed(this.rng) });
  }

  /** Random orthogonal matrix, Keras's default for recurrent kernels (Saxe et al., 2014). */
  orthogonal(): Initializer {
    return tf.initializers.orthogonal({ seed: drawTfSeed(this.rng) });
  }

  /** He normal, for ReLU layers (He et al., 2015). */
  heNormal(): Initializer {
    return tf.initializers.heNormal({ seed: drawTfSeed(this.rng) });
  }
}
