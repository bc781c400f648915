import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '../../src/index';
import {
  SeededDropout,
  UnrolledSimpleRNN,
  attachRngs,
  buildMlp,
  runExperiment,
  selectBackend,
  seededDropoutFunc,
} from '../../supervised/index';

beforeAll(async () => {
  await selectBackend({ layers: ['SimpleRNN', 'Dense'] });
});

function same(a: tf.Tensor, b: tf.Tensor): boolean {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]) === 0;
}

function rnnLayer(rates: { dropout: number; recurrentDropout: number }, dropoutFunc?: unknown) {
  return tf.layers.simpleRNN({
    units: 10,
    ...rates,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
    ...(dropoutFunc ? { dropoutFunc: dropoutFunc as never } : {}),
  });
}

describe('SimpleRNN recurrentDropout (P18)', () => {
  let x: tf.Tensor;
  beforeAll(() => {
    x = tf.ones([1, 10, 10]);
  });

  it('TF.js 4.22 applies recurrent dropout in training mode: two calls differ', () => {
    const layer = rnnLayer({ dropout: 0, recurrentDropout: 0.5 });

    const o1 = layer.apply(x, { training: true }) as tf.Tensor;
    const o2 = layer.apply(x, { training: true }) as tf.Tensor;
    const o3 = layer.apply(x, { training: false }) as tf.Tensor;
    const o4 = layer.apply(x, { training: false }) as tf.Tensor;

    expect(same(o1, o2)).toBe(false);
    expect(same(o3, o4)).toBe(true);
  });

  it('gives equal training outputs with both rates at 0', () => {
    const layer = rnnLayer({ dropout: 0, recurrentDropout: 0 });

    expect(
      same(
        layer.apply(x, { training: true }) as tf.Tensor,
        layer.apply(x, { training: true }) as tf.Tensor,
      ),
    ).toBe(true);
  });

  it('draws the masks from a tsgym stream: the same seed repeats them, new calls change them', () => {
    const a = rnnLayer({ dropout: 0, recurrentDropout: 0.5 }, seededDropoutFunc(new Rng(7)));
    const b = rnnLayer({ dropout: 0, recurrentDropout: 0.5 }, seededDropoutFunc(new Rng(7)));

    const [a1, b1] = [
      a.apply(x, { training: true }) as tf.Tensor,
      b.apply(x, { training: true }) as tf.Tensor,
    ];
    const a2 = a.apply(x, { training: true }) as tf.Tensor;

    expect(same(a1, b1)).toBe(true);
    expect(same(a1, a2)).toBe(false);
  });
});

/** Sum of the layer's output times a fixed random tensor, and its weight gradients. */
function lossAndGrads(layer: tf.layers.Layer, x: tf.Tensor, training: boolean) {
  const variables = layer.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
  return tf.variableGrads(() => {
    const output = layer.apply(x, { training }) as tf.Tensor;
    return tf.sum(tf.mul(output, tf.randomNormal(output.shape, 0, 1, 'float32', 5))) as tf.Scalar;
  }, variables);
}

describe('UnrolledSimpleRNN (unroll: true)', () => {
  const args = (returnSequences: boolean) => ({
    units: 5,
    returnSequences,
    dropout: 0.3,
    recurrentDropout: 0.4,
    kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }),
    recurrentInitializer: tf.initializers.orthogonal({ seed: 2 }),
    dropoutFunc: seededDropoutFunc(new Rng(3)) as never,
  });
  const x = tf.randomNormal([4, 6, 3], 0, 1, 'float32', 9);

  for (const returnSequences of [true, false]) {
    it(`matches the stock SimpleRNN's output and weight gradients within 1e-5 (returnSequences ${returnSequences})`, () => {
      const stock = tf.layers.simpleRNN(args(returnSequences));
      const fused = new UnrolledSimpleRNN(args(returnSequences));
      stock.apply(x);
      fused.apply(x);
      fused.setWeights(stock.getWeights());

      // Training mode too: both draw their masks from Rng(3) in the same order.
      for (const training of [false, true]) {
        const [a, b] = [lossAndGrads(stock, x, training), lossAndGrads(fused, x, training)];

        expect(Math.abs(a.value.dataSync()[0] - b.value.dataSync()[0])).toBeLessThan(1e-5);
        const [ga, gb] = [Object.values(a.grads), Object.values(b.grads)];
        expect(gb).toHaveLength(3);
        ga.forEach((g, i) =>
          expect(tf.max(tf.abs(tf.sub(g, gb[i]))).dataSync()[0]).toBeLessThan(1e-5),
        );
      }
    });
  }

  it('draws new seeded masks at every training call and none at inference (P18)', () => {
    const layer = new UnrolledSimpleRNN({ ...args(true), dropout: 0 });
    const before = tf.memory().numTensors;

    const o1 = layer.apply(x, { training: true }) as tf.Tensor;
    const o2 = layer.apply(x, { training: true }) as tf.Tensor;
    const o3 = layer.apply(x, { training: false }) as tf.Tensor;
    const o4 = layer.apply(x, { training: false }) as tf.Tensor;

    expect(same(o1, o2)).toBe(false);
    expect(same(o3, o4)).toBe(true);
    // The layer's weights (3) and the four outputs are all that remain.
    expect(tf.memory().numTensors).toBe(before + 3 + 4);
  });

  it('rejects options the fused kernel does not implement, naming them', () => {
    expect(() => new UnrolledSimpleRNN({ units: 2, goBackwards: true })).toThrow(
      /UnrolledSimpleRNN: option goBackwards=true is not supported/,
    );
    expect(() => new UnrolledSimpleRNN({ units: 2, stateful: true, returnState: true })).toThrow(
      /option stateful, returnState=true is not supported/,
    );
    expect(() => new UnrolledSimpleRNN({ units: 2, activation: 'relu' })).toThrow(
      /computes tanh with a bias; received activation 'relu', useBias true/,
    );
    expect(() => new UnrolledSimpleRNN({ units: 2, useBias: false })).toThrow(
      /received activation 'tanh', useBias false/,
    );
    const unseeded = new UnrolledSimpleRNN({ units: 2, recurrentDropout: 0.5, name: 'bare' });
    expect(() => unseeded.apply(x, { training: true })).toThrow(
      /UnrolledSimpleRNN 'bare': .*needs a seeded mask stream; call attachRngs/,
    );
  });

  it('gives the binary adder the same metrics as unroll: false, to float rounding', async () => {
    const run = (unroll: boolean) =>
      runExperiment('binary-adder', {
        options: { samples: 500, epochs: 3, recurrentDropout: 0.3, dropout: 0.1, unroll },
      });

    const [stock, fused] = [await run(false), await run(true)];

    expect(fused.metrics['test/accuracy']).toBe(stock.metrics['test/accuracy']);
    expect(fused.metrics['test/sequence_accuracy']).toBe(stock.metrics['test/sequence_accuracy']);
    fused.epochs.forEach((epoch, i) =>
      expect(Math.abs(epoch['train/loss'] - stock.epochs[i]['train/loss'])).toBeLessThan(1e-5),
    );
  });
});

describe('SeededDropout', () => {
  it('drops a new mask at every training call, reproducibly, and passes inputs through at inference', () => {
    const x = tf.ones([4, 50]);
    const make = () => {
      const model = tf.sequential({
        layers: [new SeededDropout({ rate: 0.5, name: 'drop', inputShape: [50] } as never)],
      });
      attachRngs(model, new Rng(11));
      return model.layers[0];
    };
    const [a, b] = [make(), make()];

    const a1 = a.apply(x, { training: true }) as tf.Tensor;
    const a2 = a.apply(x, { training: true }) as tf.Tensor;
    const b1 = b.apply(x, { training: true }) as tf.Tensor;

    expect(same(a1, b1)).toBe(true);
    expect(same(a1, a2)).toBe(false);
    expect(new Set(a1.dataSync())).toEqual(new Set([0, 2]));
    expect(same(a.apply(x, { training: false }) as tf.Tensor, x)).toBe(true);
  });

  it('refuses to train before it has a seeded stream', () => {
    const layer = new SeededDropout({ rate: 0.3, name: 'lonely' });

    expect(() => layer.apply(tf.ones([2, 3]), { training: true })).toThrow(
      /SeededDropout 'lonely': no Rng attached/,
    );
    expect(() => new SeededDropout({ rate: 1 })).toThrow(InvalidConfigError);
  });

  it("rejects TF.js's own Dropout layer, which is unseeded or repeats one mask", () => {
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ units: 3, inputShape: [2] }),
        tf.layers.dropout({ rate: 0.5, name: 'tfjs_dropout' }),
      ],
    });

    expect(() => attachRngs(model, new Rng(0))).toThrow(
      /layer 'tfjs_dropout': TF.js's Dropout layer cannot be seeded per step/,
    );
  });

  it('builds models whose initial weights depend only on the seed', () => {
    const weights = (seed: number) =>
      buildMlp({ inputSize: 3, hidden: [4], outputs: 2 }, new Rng(seed))
        .getWeights()
        .map((w) => Array.from(w.dataSync()));

    expect(weights(1)).toEqual(weights(1));
    expect(weights(1)).not.toEqual(weights(2));
  });
});
