import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '../../src/index';
import {
  SeededInitializers,
  UnrolledSimpleRNN,
  attachRngs,
  loadModel,
  makeOptimizer,
  rngStates,
  saveModel,
  selectBackend,
  seededDropoutFunc,
} from '../../supervised/index';

beforeAll(async () => {
  await selectBackend({ layers: ['SimpleRNN', 'TsgymUnrolledSimpleRNN', 'Dense'] });
});

interface Case {
  batch: number;
  steps: number;
  features: number;
  units: number;
  returnSequences: boolean;
}

const label = (c: Case) =>
  `[${c.batch}, ${c.steps}, ${c.features}] -> ${c.units} units, returnSequences ${c.returnSequences}`;

function maxAbs(t: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(t)).dataSync()[0]);
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => maxAbs(tf.sub(a, b)));
}

/**
 * Float32 sums over 128 products differ in their last bits between summation orders, so large
 * values are compared relative to their size: |a - b| <= 1e-5 * max(1, |a|).
 */
function expectClose(a: tf.Tensor, b: tf.Tensor, tolerance = 1e-5): void {
  expect(a.shape).toEqual(b.shape);
  expect(maxDiff(a, b)).toBeLessThanOrEqual(tolerance * Math.max(1, maxAbs(a)));
}

/** Values of a fixed dropout mask: every third entry dropped, the rest scaled by 1/(1-rate). */
function patternMask(size: number, rate: number): Float64Array {
  return Float64Array.from({ length: size }, (_, i) => (i % 3 === 1 ? 0 : 1 / (1 - rate)));
}

/** A `dropoutFunc` returning {@link patternMask}, so a reference can apply the same masks. */
function patternDropout(ones: tf.Tensor, rate: number): tf.Tensor {
  return tf.tensor(Float32Array.from(patternMask(ones.size, rate)), ones.shape);
}

interface ReferenceValues {
  x: Float64Array;
  kernel: Float64Array;
  recurrent: Float64Array;
  bias: Float64Array;
  inputMask: Float64Array;
  stateMask: Float64Array;
}

/**
 * SimpleRNN in float64, written independently of the fused kernel:
 * h_t = tanh((x_t * m) W + b + (h(t-1) * r) U), h(-1) = 0. Returns the layer's output values.
 */
function referenceForward(c: Case, v: ReferenceValues): Float64Array {
  const out = new Float64Array(c.batch * (c.returnSequences ? c.steps : 1) * c.units);
  for (let n = 0; n < c.batch; n++) {
    let h = new Float64Array(c.units);
    for (let t = 0; t < c.steps; t++) {
      const next = new Float64Array(c.units);
      for (let j = 0; j < c.units; j++) {
        let a = v.bias[j];
        for (let i = 0; i < c.features; i++) {
          const xi = v.x[(n * c.steps + t) * c.features + i] * v.inputMask[n * c.features + i];
          a += xi * v.kernel[i * c.units + j];
        }
        for (let k = 0; k < c.units; k++) {
          a += h[k] * v.stateMask[n * c.units + k] * v.recurrent[k * c.units + j];
        }
        next[j] = Math.tanh(a);
      }
      h = next;
      if (c.returnSequences) out.set(h, (n * c.steps + t) * c.units);
    }
    if (!c.returnSequences) out.set(h, n * c.units);
  }
  return out;
}

/** Central differences of sum(referenceForward * r) with respect to every entry of `param`. */
function finiteDifferences(
  c: Case,
  v: ReferenceValues,
  param: Float64Array,
  r: Float32Array,
): Float64Array {
  const eps = 1e-6;
  const loss = () => referenceForward(c, v).reduce((sum, h, i) => sum + h * r[i], 0);
  return param.map((value, i) => {
    param[i] = value + eps;
    const up = loss();
    param[i] = value - eps;
    const down = loss();
    param[i] = value;
    return (up - down) / (2 * eps);
  });
}

function layerArgs(c: Case, rates: { dropout: number; recurrentDropout: number }) {
  return {
    units: c.units,
    returnSequences: c.returnSequences,
    ...rates,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    recurrentInitializer: tf.initializers.glorotUniform({ seed: 2 }),
    biasInitializer: tf.initializers.randomNormal({ seed: 4 }),
  };
}

/** The layer's output on x and the gradients of sum(output * r) for x and the three weights. */
function outputAndGrads(layer: tf.layers.Layer, x: tf.Tensor, r: tf.Tensor, training: boolean) {
  const input = tf.variable(x);
  const weights = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  const output = layer.apply(input, { training }) as tf.Tensor;
  const { grads } = tf.variableGrads(
    () => tf.sum(tf.mul(layer.apply(input, { training }) as tf.Tensor, r)) as tf.Scalar,
    [input, ...weights],
  );
  return { output, grads: [input, ...weights].map((v) => grads[v.name]) };
}

describe('UnrolledSimpleRNN gradients', () => {
  const cases: Case[] = [
    { batch: 1, steps: 1, features: 1, units: 1, returnSequences: false },
    { batch: 1, steps: 1, features: 4, units: 3, returnSequences: true },
    { batch: 2, steps: 4, features: 3, units: 5, returnSequences: true },
    { batch: 3, steps: 5, features: 2, units: 4, returnSequences: false },
    { batch: 1, steps: 3, features: 40, units: 2, returnSequences: false },
  ];
  for (const c of cases) {
    it(`matches float64 central differences for x and all weights under dropout masks (${label(c)})`, () => {
      const layer = new UnrolledSimpleRNN({
        ...layerArgs(c, { dropout: 0.5, recurrentDropout: 0.5 }),
        dropoutFunc: patternDropout as never,
      });
      const x = tf.randomNormal([c.batch, c.steps, c.features], 0, 1, 'float32', 9);
      layer.apply(x);
      const outShape = c.returnSequences ? [c.batch, c.steps, c.units] : [c.batch, c.units];
      const r = tf.randomNormal(outShape, 0, 1, 'float32', 5);
      const [kernel, recurrent, bias] = layer
        .getWeights()
        .map((w) => Float64Array.from(w.dataSync()));
      const v: ReferenceValues = {
        x: Float64Array.from(x.dataSync()),
        ...{ kernel, recurrent, bias },
        inputMask: patternMask(c.batch * c.features, 0.5),
        stateMask: patternMask(c.batch * c.units, 0.5),
      };

      const { output, grads } = outputAndGrads(layer, x, r, true);
      const rValues = r.dataSync() as Float32Array;
      const expected = [v.x, v.kernel, v.recurrent, v.bias].map((param) =>
        finiteDifferences(c, v, param, rValues),
      );

      expectClose(
        output,
        tf.tensor(Float32Array.from(referenceForward(c, v)), outShape, 'float32'),
      );
      grads.forEach((g, i) =>
        expectClose(g, tf.tensor(Float32Array.from(expected[i]), g.shape, 'float32')),
      );
    });
  }

  // One-step sequences are left to the finite differences above: TF.js 4.22's own SimpleRNN
  // fails to backpropagate to x over a single step (its Unpack gradient throws).
  const stockCases: Case[] = [
    { batch: 1, steps: 3, features: 300, units: 1, returnSequences: false },
    { batch: 4, steps: 6, features: 3, units: 128, returnSequences: true },
    { batch: 5, steps: 9, features: 2, units: 128, returnSequences: false },
  ];
  for (const c of stockCases) {
    it(`gives the stock SimpleRNN's input and weight gradients under seeded dropout (${label(c)})`, () => {
      const rates = { dropout: 0.3, recurrentDropout: 0.4 };
      const dropoutFunc = () => seededDropoutFunc(new Rng(3)) as never;
      const stock = tf.layers.simpleRNN({ ...layerArgs(c, rates), dropoutFunc: dropoutFunc() });
      const fused = new UnrolledSimpleRNN({ ...layerArgs(c, rates), dropoutFunc: dropoutFunc() });
      const x = tf.randomNormal([c.batch, c.steps, c.features], 0, 1, 'float32', 9);
      const r = tf.randomNormal((stock.apply(x) as tf.Tensor).shape, 0, 1, 'float32', 5);
      fused.apply(x);
      fused.setWeights(stock.getWeights());

      const a = outputAndGrads(stock, x, r, true);
      const b = outputAndGrads(fused, x, r, true);

      expectClose(a.output, b.output);
      expect(b.grads).toHaveLength(4);
      a.grads.forEach((g, i) => expectClose(g, b.grads[i]));
    });
  }
});

/** A `dropoutFunc` that records the shape and rate of every mask it draws. */
function recordingDropout() {
  const draws: string[] = [];
  const dropoutFunc = (ones: tf.Tensor, rate: number) => {
    draws.push(`[${ones.shape.join(', ')}] at ${rate}`);
    return tf.dropout(ones, rate, undefined, 42);
  };
  return { draws, dropoutFunc };
}

describe('UnrolledSimpleRNN dropout masks', () => {
  it('draws one input mask, then one recurrent mask, per training call, as the stock layer does', () => {
    const make = {
      stock: (args: object) => tf.layers.simpleRNN(args as never),
      fused: (args: object) => new UnrolledSimpleRNN(args as never),
    };
    const draws = Object.entries(make).map(([, build]) => {
      const recorder = recordingDropout();
      const layer = build({ units: 5, dropout: 0.3, recurrentDropout: 0.4, ...recorder });

      layer.apply(tf.ones([4, 6, 3]), { training: true });
      layer.apply(tf.ones([4, 6, 3]), { training: false });
      layer.apply(tf.ones([4, 6, 3]));
      layer.apply(tf.ones([2, 6, 3]), { training: true });
      return recorder.draws;
    });

    // Six steps but one mask of each kind per call: the stock layer keeps its masks for the
    // whole sequence, which is what the fused kernel assumes.
    const expected = ['[4, 3] at 0.3', '[4, 5] at 0.4', '[2, 3] at 0.3', '[2, 5] at 0.4'];
    expect(draws).toEqual([expected, expected]);
  });

  it('leaves its attached Rng stream untouched at inference and advances it in training', async () => {
    const model = tf.sequential({
      layers: [
        new UnrolledSimpleRNN({ units: 4, inputShape: [5, 2], dropout: 0.5, name: 'rnn' }),
        tf.layers.dense({ units: 1 }),
      ],
    });
    model.compile({ optimizer: 'sgd', loss: 'meanSquaredError' });
    attachRngs(model, new Rng(3));
    const [x, y] = [tf.ones([3, 5, 2]), tf.ones([3, 1])];
    const before = rngStates(model);

    model.predict(x);
    model.evaluate(x, y);
    model.layers[0].apply(x, { training: false });
    const afterInference = rngStates(model);
    await model.trainOnBatch(x, y);

    expect(afterInference).toEqual(before);
    expect(rngStates(model)).not.toEqual(before);
  });

  it('rejects input masks and initial states with an InvalidConfigError naming them', () => {
    const masked = tf.sequential({
      layers: [
        tf.layers.masking({ maskValue: 0, inputShape: [6, 3] }),
        new UnrolledSimpleRNN({ units: 2, name: 'masked' }),
      ],
    });
    const layer = new UnrolledSimpleRNN({ units: 2, name: 'seeded_state' });
    const x = tf.ones([4, 6, 3]);

    expect(() => masked.predict(x)).toThrow(InvalidConfigError);
    expect(() => masked.predict(x)).toThrow(/UnrolledSimpleRNN 'masked': .*received a mask/);
    expect(() => layer.apply(x, { initialState: [tf.zeros([4, 2])] })).toThrow(
      /UnrolledSimpleRNN 'seeded_state': .*received an initial state/,
    );
  });
});

/** Two recurrent layers (16 units over the sequence, then 128 to the last step) and a head. */
function stackedModel(unroll: boolean): tf.LayersModel {
  const init = new SeededInitializers(new Rng(1));
  const recurrent = (args: object) =>
    unroll ? new UnrolledSimpleRNN(args as never) : tf.layers.simpleRNN(args as never);
  const model = tf.sequential({
    layers: [
      recurrent({
        ...{ name: 'rnn_sequence', units: 16, returnSequences: true, inputShape: [5, 3] },
        ...{ dropout: 0.2, recurrentDropout: 0.3, kernelInitializer: init.glorotUniform() },
        recurrentInitializer: init.orthogonal(),
      }),
      recurrent({
        ...{ name: 'rnn_last', units: 128, recurrentDropout: 0.25 },
        ...{ kernelInitializer: init.glorotUniform(), recurrentInitializer: init.glorotUniform() },
      }),
      tf.layers.dense({ units: 1, kernelInitializer: init.glorotUniform() }),
    ],
  });
  model.compile({ optimizer: makeOptimizer('adam', 0.01), loss: 'meanSquaredError' });
  attachRngs(model, new Rng(6));
  return model;
}

describe('UnrolledSimpleRNN in a model', () => {
  const x = tf.randomNormal([12, 5, 3], 0, 1, 'float32', 7);
  const y = tf.randomNormal([12, 1], 0, 1, 'float32', 8);

  it('trains two stacked layers like the stock ones, with a constant tensor count per epoch', async () => {
    const [stock, fused] = [stackedModel(false), stackedModel(true)];
    const tensorsAfterEpoch: number[] = [];
    const fit = (model: tf.LayersModel, onEpochEnd?: () => Promise<void>) =>
      model.fit(x, y, {
        epochs: 5,
        batchSize: 4,
        shuffle: false,
        verbose: 0,
        callbacks: { onEpochEnd },
      });
    const xOtherBatch = tf.randomNormal([3, 5, 3], 0, 1, 'float32', 17);

    const a = await fit(stock);
    const b = await fit(fused, async () => void tensorsAfterEpoch.push(tf.memory().numTensors));

    expect(new Set(tensorsAfterEpoch).size).toBe(1);
    (b.history.loss as number[]).forEach((loss, i) =>
      expect(Math.abs(loss - (a.history.loss[i] as number))).toBeLessThan(1e-5),
    );
    fused.getWeights().forEach((w, i) => expectClose(w, stock.getWeights()[i]));
    expectClose(fused.predict(xOtherBatch) as tf.Tensor, stock.predict(xOtherBatch) as tf.Tensor);
  });

  it('restores a stacked model with saveModel/loadModel: same predictions and next training step', async () => {
    const model = stackedModel(true);
    await model.trainOnBatch(x, y);
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-unrolled-')), 'model');

    await saveModel(model, dir);
    const { model: again } = await loadModel(dir, new Rng(99));

    expect(again.layers.map((l) => l.getClassName())).toEqual([
      'TsgymUnrolledSimpleRNN',
      'TsgymUnrolledSimpleRNN',
      'Dense',
    ]);
    expect(maxDiff(again.predict(x) as tf.Tensor, model.predict(x) as tf.Tensor)).toBe(0);
    await model.trainOnBatch(x, y);
    await again.trainOnBatch(x, y);
    again.getWeights().forEach((w, i) => expect(maxDiff(w, model.getWeights()[i])).toBe(0));
  });
});
