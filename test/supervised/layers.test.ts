import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '../../src/index';
import {
  SeededDropout,
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

  it('rejects unroll, which TF.js ignores, instead of silently running without it', async () => {
    await expect(
      runExperiment('binary-adder', { options: { unroll: true, epochs: 1, samples: 10 } }),
    ).rejects.toThrow(/binary-adder: option unroll=true is not supported.*Leave unroll at false/);
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
