/**
 * The network architectures of the experiments, built with seeded initialisers and seeded
 * dropout, plus the optimisers the notes compare.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, type Rng, describeValue } from '../src/index';
import { SeededDropout, SeededInitializers } from './layers';
import { UnrolledSimpleRNN } from './unrolled-rnn';

/** Optimisers of the notes' comparison (S6). */
export const OPTIMIZERS = ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'] as const;
/** One of {@link OPTIMIZERS}. */
export type OptimizerName = (typeof OPTIMIZERS)[number];

/** Keras's default learning rates (keras.io/api/optimizers), used when none is given. */
export const DEFAULT_LEARNING_RATES: Record<OptimizerName, number> = {
  sgd: 0.01,
  momentum: 0.01,
  adagrad: 0.01,
  rmsprop: 0.001,
  adam: 0.001,
};

/**
 * Builds an optimiser: plain gradient descent, momentum 0.9 (Polyak, 1964), AdaGrad (Duchi et
 * al., 2011), RMSProp (Tieleman and Hinton, 2012) or Adam (Kingma and Ba, 2015).
 *
 * @param learningRate - step size; Keras's default for the optimiser when omitted.
 * @throws InvalidConfigError for an unknown name or a non-positive learning rate.
 */
export function makeOptimizer(name: string, learningRate?: number): tf.Optimizer {
  if (!(OPTIMIZERS as readonly string[]).includes(name)) {
    throw new InvalidConfigError(
      `optimizer: unknown optimiser ${describeValue(name)}; expected one of ${OPTIMIZERS.join(', ')}.`,
    );
  }
  const lr = learningRate ?? DEFAULT_LEARNING_RATES[name as OptimizerName];
  if (!(lr > 0)) {
    throw new InvalidConfigError(`learningRate must be > 0; received ${describeValue(lr)}.`);
  }
  switch (name as OptimizerName) {
    case 'sgd':
      return tf.train.sgd(lr);
    case 'momentum':
      return tf.train.momentum(lr, 0.9);
    case 'adagrad':
      return tf.train.adagrad(lr);
    case 'rmsprop':
      // Keras's RMSprop: rho 0.9, no momentum, epsilon 1e-7.
      return tf.train.rmsprop(lr, 0.9, 0, 1e-7);
    case 'adam':
      return tf.train.adam(lr, 0.9, 0.999, 1e-7);
  }
}

/** Activations the experiments accept for hidden and output layers. */
export const ACTIVATIONS = ['relu', 'sigmoid', 'tanh', 'linear', 'softmax'] as const;
/** One of {@link ACTIVATIONS}. */
export type ActivationName = (typeof ACTIVATIONS)[number];

function dense(
  init: SeededInitializers,
  units: number,
  activation: ActivationName,
  inputShape?: number[],
): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: init.glorotUniform(),
    biasInitializer: 'zeros',
    ...(inputShape ? { inputShape } : {}),
  });
}

/** Options of {@link buildMlp}. */
export interface MlpOptions {
  /** Length of one input vector. */
  inputSize: number;
  /** Units of each hidden layer, input side first; `[]` for none. */
  hidden: number[];
  /** Units of the output layer. */
  outputs: number;
  /** Activation of the hidden layers. @defaultValue 'relu' */
  hiddenActivation?: ActivationName;
  /** Activation of the output layer. @defaultValue 'softmax' */
  outputActivation?: ActivationName;
  /** Dropout rate after each hidden layer. @defaultValue 0 */
  dropout?: number;
}

/**
 * A multi-layer perceptron: dense hidden layers (optionally followed by dropout) and a dense
 * output layer. With `hidden: []` it is softmax (or logistic) regression.
 */
export function buildMlp(options: MlpOptions, rng: Rng): tf.Sequential {
  const init = new SeededInitializers(rng.spawn('init'));
  const model = tf.sequential();
  let inputShape: number[] | undefined = [options.inputSize];
  for (const [i, units] of options.hidden.entries()) {
    model.add(dense(init, units, options.hiddenActivation ?? 'relu', inputShape));
    inputShape = undefined;
    if ((options.dropout ?? 0) > 0) {
      model.add(new SeededDropout({ rate: options.dropout!, name: `dropout_${i + 1}` }));
    }
  }
  model.add(dense(init, options.outputs, options.outputActivation ?? 'softmax', inputShape));
  return model;
}

/** Options of {@link buildCnn}. */
export interface CnnOptions {
  /** Image shape, height x width x channels. */
  inputShape: [number, number, number];
  /** Filters of each 3x3 conv layer of each block; a 2x2 max-pool ends every block. */
  blocks: number[][];
  /** Units of the dense layer before the output. */
  denseUnits: number;
  /** Number of classes. */
  classes: number;
  /** Dropout after each pooling (half this rate, as in Keras's mnist_cnn) and before the output. */
  dropout: number;
}

/**
 * A VGG-style CNN: blocks of 3x3 ReLU convolutions ending in 2x2 max-pooling, then a dense
 * ReLU layer and a softmax output. `blocks: [[32, 64]]` with 128 dense units is the
 * conv32-conv64-maxpool-dense128 net of Keras's mnist_cnn example (S7, S12);
 * `[[32, 32], [64, 64]]` with 512 units is its cifar10_cnn example (S13).
 */
export function buildCnn(options: CnnOptions, rng: Rng): tf.Sequential {
  const init = new SeededInitializers(rng.spawn('init'));
  const model = tf.sequential();
  let first = true;
  for (const [b, block] of options.blocks.entries()) {
    for (const filters of block) {
      model.add(
        tf.layers.conv2d({
          filters,
          kernelSize: 3,
          activation: 'relu',
          kernelInitializer: init.glorotUniform(),
          ...(first ? { inputShape: options.inputShape } : {}),
        }),
      );
      first = false;
    }
    model.add(tf.layers.maxPooling2d({ poolSize: 2 }));
    if (options.dropout > 0) {
      model.add(new SeededDropout({ rate: options.dropout / 2, name: `dropout_pool_${b + 1}` }));
    }
  }
  model.add(tf.layers.flatten());
  model.add(dense(init, options.denseUnits, 'relu'));
  if (options.dropout > 0)
    model.add(new SeededDropout({ rate: options.dropout, name: 'dropout_dense' }));
  model.add(dense(init, options.classes, 'softmax'));
  return model;
}

/** Options of {@link buildRnnAdder}. */
export interface RnnAdderOptions {
  /** Bits per number (time steps). */
  bits: number;
  /** Units of the SimpleRNN layer. */
  units: number;
  /** Activation of the per-step output unit. */
  outputActivation: 'sigmoid' | 'tanh';
  /** Dropout on the inputs of the recurrent layer. */
  dropout: number;
  /** Dropout on the recurrent state (Gal and Ghahramani, 2016). */
  recurrentDropout: number;
  /**
   * Run the recurrence as one fused op ({@link UnrolledSimpleRNN}) instead of TF.js's per-step
   * loop: the same results to float rounding, faster.
   * @defaultValue false
   */
  unroll?: boolean;
}

/**
 * The binary adder: a SimpleRNN (Elman, 1990) over the bit pairs, returning its state at every
 * step, and one dense output unit per step. TF.js 4.22's SimpleRNN applies both dropout masks
 * (checked by test, P18); tsgym seeds them through `attachRngs`. With `unroll`, the same
 * initial weights and masks go to the fused {@link UnrolledSimpleRNN}.
 */
export function buildRnnAdder(options: RnnAdderOptions, rng: Rng): tf.Sequential {
  const init = new SeededInitializers(rng.spawn('init'));
  const model = tf.sequential();
  const recurrent = {
    // A fixed name: the dropout streams are keyed by layer name (attachRngs), and TF.js's
    // default names count layers per process, so a second model would draw other masks.
    name: 'simple_rnn',
    units: options.units,
    returnSequences: true,
    inputShape: [options.bits, 2],
    kernelInitializer: init.glorotUniform(),
    recurrentInitializer: init.orthogonal(),
    dropout: options.dropout,
    recurrentDropout: options.recurrentDropout,
  };
  model.add(options.unroll ? new UnrolledSimpleRNN(recurrent) : tf.layers.simpleRNN(recurrent));
  model.add(dense(init, 1, options.outputActivation));
  return model;
}
