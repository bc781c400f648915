import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '../../src/index';
import { attachRngs, buildCnn, makeOptimizer, selectBackend } from '../../supervised/index';
import {
  TF_THREADS_ENV,
  activeHelpers,
  helperThreadCount,
  resolveThreadCount,
  useHelperThreads,
} from '../../supervised/helper-threads';
import { relativeError } from '../helpers/numeric';

// The split kernels must give what one thread gives: exactly where parts are concatenated,
// to float rounding where they are summed, and agree with the reference cpu backend.
beforeAll(async () => {
  await selectBackend({ layers: ['Dense'], backend: 'cpu' });
  await selectBackend({ layers: ['Conv2D'], backend: 'wasm', threads: 1 });
}, 120_000);

afterAll(async () => {
  await useHelperThreads(1);
});

function normal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

const conv = { strides: 1, pad: 'valid' } as const;
const x = () => normal([3, 26, 26, 32], 3) as tf.Tensor4D;
const dy = () => normal([3, 24, 24, 64], 4) as tf.Tensor4D;
const filter = () => normal([3, 3, 32, 64], 5) as tf.Tensor4D;

/** Ops whose kernels split (each above the split threshold, batches not divisible by 2). */
const CASES: Record<string, () => tf.Tensor> = {
  conv2d: () => tf.conv2d(normal([7, 26, 26, 32], 1) as tf.Tensor4D, filter(), 1, conv.pad),
  inputGradient: () => tf.conv2dTranspose(dy(), filter(), [3, 26, 26, 32], 1, conv.pad),
  filterGradient: () =>
    tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x(), w as tf.Tensor4D, 1, conv.pad), dy())))(
      filter(),
    ),
  tall: () => tf.matMul(normal([601, 300], 6), normal([300, 100], 7)),
  wide: () => tf.matMul(normal([129, 784], 8), normal([784, 515], 9)),
  transposed: () => tf.matMul(normal([784, 129], 10), normal([515, 784], 11), true, true),
  fused: () =>
    tf.fused.matMul({
      a: normal([128, 784], 12),
      b: normal([784, 512], 13),
      bias: normal([512], 14),
      activation: 'relu',
    }),
};

/** Per case: values on wasm with 1, 2 and 3 threads, and on cpu. */
const results: Record<string, Record<'1' | '2' | '3' | 'cpu', Float32Array>> = {};

/** Per case and thread count: kernel calls the helpers received (0 when nothing split). */
const helperCalls: Record<string, number[]> = {};

function record(label: '1' | '2' | '3' | 'cpu'): void {
  for (const [name, f] of Object.entries(CASES)) {
    const before = activeHelpers().map((h) => h.calls);
    const t = tf.tidy(f);
    if (label !== 'cpu') {
      const calls = activeHelpers().map((h, i) => h.calls - before[i]);
      (helperCalls[name] ??= []).push(Math.min(...calls, Infinity));
    }
    (results[name] ??= {} as never)[label] = t.dataSync() as Float32Array;
    t.dispose();
  }
}

beforeAll(async () => {
  // Fewest helper starts: 3 threads, then stop one at a time.
  for (const threads of [3, 2, 1] as const) {
    expect(await useHelperThreads(threads)).toBe(threads);
    record(String(threads) as '1' | '2' | '3');
  }
  await tf.setBackend('cpu');
  record('cpu');
  await tf.setBackend('wasm');
}, 120_000);

describe('kernels split across wasm helper threads', () => {
  it('sends every case to every helper (3 and 2 threads), and nothing with 1 thread', () => {
    for (const [name, calls] of Object.entries(helperCalls)) {
      expect(
        calls.slice(0, 2).every((c) => c >= 1),
        name,
      ).toBe(true);
      expect(activeHelpers()).toHaveLength(0);
    }
  });

  it('Conv2D: the batch split two and three ways gives the one-thread output exactly', () => {
    const r = results.conv2d;

    expect(r['2']).toEqual(r['1']);
    expect(r['3']).toEqual(r['1']);
    expect(relativeError(r.cpu, r['1'])).toBeLessThan(1e-5);
  });

  it('Conv2DBackpropInput splits the batch exactly; Conv2DBackpropFilter sums the parts', () => {
    const input = results.inputGradient;
    const grad = results.filterGradient;

    expect(input['2']).toEqual(input['1']);
    expect(input['3']).toEqual(input['1']);
    expect(relativeError(input.cpu, input['1'])).toBeLessThan(1e-5);
    expect(relativeError(grad['1'], grad['2'])).toBeLessThan(1e-5);
    expect(relativeError(grad['1'], grad['3'])).toBeLessThan(1e-5);
    expect(relativeError(grad.cpu, grad['2'])).toBeLessThan(1e-5);
  });

  it('matrix products split rows (tall a) or columns (wide b, with bias), exactly', () => {
    for (const name of ['tall', 'wide', 'transposed', 'fused']) {
      const r = results[name];
      expect(r['2']).toEqual(r['1']);
      expect(r['3']).toEqual(r['1']);
      expect(relativeError(r.cpu, r['1'])).toBeLessThan(1e-5);
    }
  });

  it('one CNN training step gives the same weights on 2 threads as on 1, and leaks no tensor', async () => {
    const step = async (threads: number) => {
      await useHelperThreads(threads);
      const model = buildCnn(
        { inputShape: [28, 28, 1], blocks: [[32, 64]], denseUnits: 128, classes: 10, dropout: 0.5 },
        new Rng(0),
      );
      model.compile({ optimizer: makeOptimizer('adam'), loss: 'categoricalCrossentropy' });
      attachRngs(model, new Rng(1));
      const x = tf.randomUniform([16, 28, 28, 1], 0, 1, 'float32', 3);
      const y = tf.oneHot(tf.randomUniform([16], 0, 10, 'int32', 4), 10);
      await model.trainOnBatch(x, y);
      const before = tf.memory().numTensors;
      await model.trainOnBatch(x, y);
      const after = tf.memory().numTensors;
      const weights = model.getWeights().map((w) => w.dataSync() as Float32Array);
      model.optimizer.dispose();
      model.dispose();
      tf.dispose([x, y]);
      return { weights, leaked: after - before };
    };

    const one = await step(1);
    const two = await step(2);
    const again = await step(2);

    // The summed filter gradients round differently; Adam's first steps move each weight by
    // about the learning rate whatever the gradient's size, so near-zero gradients whose
    // rounding differs can move a weight by up to 1e-3 (relative to the largest, ~0.3).
    expect(two.leaked).toBe(0);
    two.weights.forEach((w, i) => expect(relativeError(one.weights[i], w)).toBeLessThan(1e-2));
    again.weights.forEach((w, i) => expect(w).toEqual(two.weights[i]));
  }, 120_000);

  it('reports a helper-side kernel error naming the kernel, then serves the next call', async () => {
    await useHelperThreads(2);
    const [helper] = activeHelpers();
    helper.start('NoSuchKernel', { x: { values: new Float32Array(4), shape: [4] } }, {}, [4]);

    expect(() => helper.wait()).toThrow(/NoSuchKernel/);
    expect(helperThreadCount()).toBe(2);
    const calls = helper.calls;
    const next = tf.tidy(CASES.conv2d);
    expect(helper.calls).toBe(calls + 1);
    expect(next.dataSync()).toEqual(results.conv2d['1']);
    next.dispose();
  }, 120_000);
});

describe('a helper that stopped', () => {
  it('fails the next call with an error saying how to train without helpers', async () => {
    await useHelperThreads(2);
    const [helper] = activeHelpers();
    await helper.stop();

    helper.start('Conv2D', { x: { values: new Float32Array(4), shape: [4] } }, {}, [4]);

    expect(() => helper.wait()).toThrow(/helper thread stopped .*--threads 1/);
    await useHelperThreads(1);
    expect(activeHelpers()).toHaveLength(0);
  }, 120_000);
});

describe('thread count', () => {
  it('comes from the argument, else the environment, else the cores (at most 4)', () => {
    expect(resolveThreadCount(3, {})).toBe(3);
    expect(resolveThreadCount('2', { [TF_THREADS_ENV]: '5' })).toBe(2);
    expect(resolveThreadCount(undefined, { [TF_THREADS_ENV]: '5' })).toBe(5);
    const cores = resolveThreadCount(undefined, {});
    expect(cores).toBeGreaterThanOrEqual(1);
    expect(cores).toBeLessThanOrEqual(4);
  });

  it('rejects a count that is not a whole number from 1 to 64, naming where it came from', () => {
    expect(() => resolveThreadCount(0, {})).toThrow(InvalidConfigError);
    expect(() => resolveThreadCount('two', {})).toThrow(/threads: .*received "two"/);
    expect(() => resolveThreadCount(undefined, { [TF_THREADS_ENV]: '1.5' })).toThrow(
      new RegExp(`${TF_THREADS_ENV}: .*1\\.5`),
    );
  });
});
