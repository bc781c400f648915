/**
 * `unroll: true` for SimpleRNN. Keras unrolls the recurrence into one static graph; TF.js 4.22
 * runs recurrent layers eagerly and ignores the option (it only warns). What unrolling buys in
 * Keras is one compiled forward and backward pass over all time steps instead of a loop of
 * small ops. tsgym gives the option that meaning with a fused kernel: the whole sequence, and
 * its backpropagation through time, in one tight loop over the tensors' values, registered as a
 * single op with its own gradient. The arithmetic is SimpleRNN's, so the results match the
 * stock layer to float rounding (tested); only the speed changes.
 */
import * as tf from '@tensorflow/tfjs';
import type { SimpleRNNLayerArgs } from '@tensorflow/tfjs';
import { InvalidConfigError } from '../src/index';

/** Sizes of one call: batch, time steps, input features, units. */
interface RnnSizes {
  batch: number;
  steps: number;
  inputs: number;
  units: number;
}

/** Values of one call: input [batch, steps, inputs] and the cell's weights. */
interface RnnValues {
  x: Float32Array;
  /** [inputs, units] */
  kernel: Float32Array;
  /** [units, units] */
  recurrent: Float32Array;
  /** [units] */
  bias: Float32Array;
  /** Input dropout mask [batch, inputs], already scaled by 1 / (1 - rate); null: none. */
  inputMask: Float32Array | null;
  /** Recurrent dropout mask [batch, units], scaled likewise; null: none. */
  stateMask: Float32Array | null;
}

/** `row += scale * matrix[r, :]`, the inner step of both matrix products. */
function addScaledRow(row: Float64Array, scale: number, matrix: Float32Array, r: number): void {
  const offset = r * row.length;
  for (let j = 0; j < row.length; j++) row[j] += scale * matrix[offset + j];
}

/**
 * Forward pass of an Elman network (Elman, 1990), as TF.js's SimpleRNNCell computes it:
 * h_t = tanh((x_t * m) W + b + (h(t-1) * r) U), h(-1) = 0, with m and r the dropout masks
 * (fixed over the time steps, Gal and Ghahramani, 2016).
 *
 * @returns every h_t, [batch, steps, units].
 */
function forwardPass(s: RnnSizes, v: RnnValues): Float32Array {
  const h = new Float32Array(s.batch * s.steps * s.units);
  const a = new Float64Array(s.units);
  for (let n = 0; n < s.batch; n++) {
    for (let t = 0; t < s.steps; t++) {
      a.set(v.bias);
      const xRow = (n * s.steps + t) * s.inputs;
      for (let i = 0; i < s.inputs; i++) {
        const xi = v.x[xRow + i] * (v.inputMask ? v.inputMask[n * s.inputs + i] : 1);
        if (xi !== 0) addScaledRow(a, xi, v.kernel, i);
      }
      const prev = (n * s.steps + t - 1) * s.units;
      for (let k = 0; t > 0 && k < s.units; k++) {
        const hk = h[prev + k] * (v.stateMask ? v.stateMask[n * s.units + k] : 1);
        if (hk !== 0) addScaledRow(a, hk, v.recurrent, k);
      }
      const out = (n * s.steps + t) * s.units;
      for (let j = 0; j < s.units; j++) h[out + j] = Math.tanh(a[j]);
    }
  }
  return h;
}

/** Gradients of the loss with respect to the four inputs of the fused op. */
interface RnnGradients {
  dx: Float32Array;
  dKernel: Float64Array;
  dRecurrent: Float64Array;
  dBias: Float64Array;
}

/** `sum_j delta[j] * matrix[r, j]`: one entry of delta times the transposed matrix. */
function dotRow(delta: Float64Array, matrix: Float32Array, r: number): number {
  const offset = r * delta.length;
  let sum = 0;
  for (let j = 0; j < delta.length; j++) sum += delta[j] * matrix[offset + j];
  return sum;
}

/** `grad[r, :] += scale * delta`, one row of an outer-product weight gradient. */
function accumulateRow(grad: Float64Array, r: number, scale: number, delta: Float64Array): void {
  const offset = r * delta.length;
  for (let j = 0; j < delta.length; j++) grad[offset + j] += scale * delta[j];
}

/**
 * Backpropagation through time (Werbos, 1990) of {@link forwardPass}. With
 * delta_t = (dL/dh_t + dL/dh_t via h(t+1)) * (1 - h_t^2): dW += (x_t * m)^T delta_t,
 * dU += (h(t-1) * r)^T delta_t, db += delta_t, dx_t = (delta_t W^T) * m and
 * dL/dh(t-1) via h_t = (delta_t U^T) * r.
 *
 * @param dOutput - dL/dh_t for every step ([batch, steps, units]) or only the last ([batch, units]).
 */
function backwardPass(
  s: RnnSizes,
  v: RnnValues,
  pass: { h: Float32Array; dOutput: Float32Array; everyStep: boolean },
): RnnGradients {
  const g: RnnGradients = {
    dx: new Float32Array(s.batch * s.steps * s.inputs),
    dKernel: new Float64Array(s.inputs * s.units),
    dRecurrent: new Float64Array(s.units * s.units),
    dBias: new Float64Array(s.units),
  };
  const delta = new Float64Array(s.units);
  const dNext = new Float64Array(s.units);
  for (let n = 0; n < s.batch; n++) {
    dNext.fill(0);
    for (let t = s.steps - 1; t >= 0; t--) {
      const row = (n * s.steps + t) * s.units;
      const dRow = pass.everyStep ? row : t === s.steps - 1 ? n * s.units : -1;
      for (let j = 0; j < s.units; j++) {
        const dh = dNext[j] + (dRow >= 0 ? pass.dOutput[dRow + j] : 0);
        delta[j] = dh * (1 - pass.h[row + j] * pass.h[row + j]);
        g.dBias[j] += delta[j];
      }
      const xRow = (n * s.steps + t) * s.inputs;
      for (let i = 0; i < s.inputs; i++) {
        const mi = v.inputMask ? v.inputMask[n * s.inputs + i] : 1;
        accumulateRow(g.dKernel, i, v.x[xRow + i] * mi, delta);
        g.dx[xRow + i] = mi === 0 ? 0 : dotRow(delta, v.kernel, i) * mi;
      }
      const prev = row - s.units;
      for (let k = 0; t > 0 && k < s.units; k++) {
        const rk = v.stateMask ? v.stateMask[n * s.units + k] : 1;
        accumulateRow(g.dRecurrent, k, pass.h[prev + k] * rk, delta);
        dNext[k] = rk === 0 ? 0 : dotRow(delta, v.recurrent, k) * rk;
      }
    }
  }
  return g;
}

/** The parts of TF.js's SimpleRNNCell the fused kernel reads (public at run time, untyped). */
interface SimpleRnnCellParts {
  units: number;
  dropout: number;
  recurrentDropout: number;
  useBias: boolean;
  activation: { getClassName(): string };
  dropoutFunc?: (ones: tf.Tensor, rate: number) => tf.Tensor;
  kernel: { read(): tf.Tensor };
  recurrentKernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
}

/** Arguments of {@link UnrolledSimpleRNN}: those of `tf.layers.simpleRNN` (see its limits). */
export type UnrolledSimpleRNNArgs = SimpleRNNLayerArgs;

/**
 * A SimpleRNN layer with `unroll: true` made real: the same cell, weights, masks and
 * serialised form as `tf.layers.simpleRNN`, computed by one fused op over the whole sequence
 * (forward and backward) instead of a loop of per-step ops. Weights can be copied to and from
 * a stock SimpleRNN of the same size. Dropout masks come from the cell's `dropoutFunc`, which
 * {@link attachRngs} seeds, drawn in the stock layer's order (input mask, then recurrent mask).
 *
 * Limits, each rejected with an error rather than ignored: tanh activation only, with bias;
 * no goBackwards, stateful, returnState, input masks or initial states.
 *
 * @example
 * ```ts
 * const rnn = new UnrolledSimpleRNN({ units: 16, returnSequences: true, inputShape: [8, 2] });
 * ```
 * @throws InvalidConfigError for an option the fused kernel does not implement.
 */
export class UnrolledSimpleRNN extends tf.RNN {
  /** Name under which TF.js serialises the class. */
  static override className = 'TsgymUnrolledSimpleRNN';

  /** @param args - as for `tf.layers.simpleRNN`; `unroll` is always true. */
  constructor(args: UnrolledSimpleRNNArgs) {
    rejectUnsupported(args);
    super({ ...args, unroll: true, cell: tf.layers.simpleRNNCell(args) });
    const cell = this.cell as unknown as SimpleRnnCellParts;
    if (cell.activation.getClassName() !== 'tanh' || !cell.useBias) {
      throw new InvalidConfigError(
        `UnrolledSimpleRNN '${this.name}': the fused kernel computes tanh with a bias; received ` +
          `activation '${cell.activation.getClassName()}', useBias ${cell.useBias}. Use ` +
          `unroll: false (tf.layers.simpleRNN) for other cells.`,
      );
    }
  }

  /**
   * Rebuilds the layer from its saved config, which (as for SimpleRNN) holds the cell's
   * options rather than a nested cell.
   */
  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    if (kwargs['mask'] != null || kwargs['initialState'] != null) {
      throw new InvalidConfigError(
        `UnrolledSimpleRNN '${this.name}': input masks and initial states are not supported by ` +
          `the fused kernel; received ${kwargs['mask'] != null ? 'a mask' : 'an initial state'}. ` +
          `Use unroll: false (tf.layers.simpleRNN).`,
      );
    }
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    const cell = this.cell as unknown as SimpleRnnCellParts;
    const [batch, steps, features] = x.shape as [number, number, number];
    const sizes: RnnSizes = { batch, steps, inputs: features, units: cell.units };
    const training = kwargs['training'] === true;

    const inputMask = this.drawMask(cell, [batch, features], cell.dropout, training);
    const stateMask = this.drawMask(cell, [batch, cell.units], cell.recurrentDropout, training);
    const weights = [cell.kernel.read(), cell.recurrentKernel.read(), cell.bias!.read()];
    return fusedSimpleRnn(sizes, { inputMask, stateMask }, this.returnSequences)(x, ...weights);
  }

  /** One dropout mask, drawn through the cell's seeded `dropoutFunc`, or null when unused. */
  private drawMask(
    cell: SimpleRnnCellParts,
    shape: number[],
    rate: number,
    training: boolean,
  ): Float32Array | null {
    if (!training || !(rate > 0 && rate < 1)) return null;
    if (!cell.dropoutFunc) {
      throw new InvalidConfigError(
        `UnrolledSimpleRNN '${this.name}': dropout ${cell.dropout} / recurrentDropout ` +
          `${cell.recurrentDropout} needs a seeded mask stream; call attachRngs(model, rng) ` +
          `before training.`,
      );
    }
    const mask = tf.tidy(() => cell.dropoutFunc!(tf.ones(shape), rate));
    const values = mask.dataSync() as Float32Array;
    mask.dispose();
    return values;
  }
}
tf.serialization.registerClass(UnrolledSimpleRNN);

function rejectUnsupported(args: UnrolledSimpleRNNArgs): void {
  const flags = ['goBackwards', 'stateful', 'returnState'] as const;
  const set = flags.filter((flag) => args[flag] === true);
  if (set.length > 0) {
    throw new InvalidConfigError(
      `UnrolledSimpleRNN: option ${set.join(', ')}=true is not supported by the fused kernel. ` +
        `Leave it false, or use unroll: false (tf.layers.simpleRNN).`,
    );
  }
}

/**
 * The fused op for one call: x, kernel, recurrent kernel and bias in, the hidden states out,
 * with its gradient (masks are constants of the call, not inputs).
 */
function fusedSimpleRnn(
  sizes: RnnSizes,
  masks: Pick<RnnValues, 'inputMask' | 'stateMask'>,
  everyStep: boolean,
): (...inputs: tf.Tensor[]) => tf.Tensor {
  return tf.customGrad((...args: unknown[]) => {
    const [x, kernel, recurrent, bias] = args as tf.Tensor[];
    const values: RnnValues = {
      x: x.dataSync() as Float32Array,
      kernel: kernel.dataSync() as Float32Array,
      recurrent: recurrent.dataSync() as Float32Array,
      bias: bias.dataSync() as Float32Array,
      ...masks,
    };
    const h = forwardPass(sizes, values);
    const { batch, steps, units } = sizes;
    const value = everyStep
      ? tf.tensor3d(h, [batch, steps, units])
      : tf.tensor2d(lastStep(h, sizes), [batch, units]);

    const gradFunc = (dy: tf.Tensor) => {
      const dOutput = dy.dataSync() as Float32Array;
      const g = backwardPass(sizes, values, { h, dOutput, everyStep });
      return [
        tf.tensor(g.dx, x.shape),
        tf.tensor(Float32Array.from(g.dKernel), kernel.shape),
        tf.tensor(Float32Array.from(g.dRecurrent), recurrent.shape),
        tf.tensor(Float32Array.from(g.dBias), bias.shape),
      ];
    };
    return { value, gradFunc };
  });
}

/** h(T-1) of every sequence, [batch, units]. */
function lastStep(h: Float32Array, s: RnnSizes): Float32Array {
  const out = new Float32Array(s.batch * s.units);
  for (let n = 0; n < s.batch; n++) {
    const from = (n * s.steps + s.steps - 1) * s.units;
    out.set(h.subarray(from, from + s.units), n * s.units);
  }
  return out;
}
