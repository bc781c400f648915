import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Rng } from '../../src/index';
import {
  REPLACEMENT_KERNELS,
  attachRngs,
  buildCnn,
  makeOptimizer,
  selectBackend,
} from '../../supervised/index';
import { relativeError } from '../helpers/numeric';

// Each replacement kernel must agree with the reference cpu backend (which tsgym leaves alone).
beforeAll(async () => {
  await selectBackend({ layers: ['Dense'], backend: 'cpu' });
  await selectBackend({ layers: ['Conv2D'], backend: 'wasm' });
});

async function onBoth(
  f: () => tf.Tensor | tf.Tensor[],
): Promise<{ cpu: Float32Array[]; wasm: Float32Array[] }> {
  const out: Record<string, Float32Array[]> = {};
  for (const backend of ['cpu', 'wasm']) {
    await tf.setBackend(backend);
    const result = tf.tidy(f);
    const list = Array.isArray(result) ? result : [result];
    out[backend] = list.map((t) => t.dataSync() as Float32Array);
    tf.dispose(list);
  }
  return { cpu: out.cpu, wasm: out.wasm };
}

async function expectAgreement(f: () => tf.Tensor | tf.Tensor[], tolerance = 1e-5): Promise<void> {
  const { cpu, wasm } = await onBoth(f);
  cpu.forEach((reference, i) => expect(relativeError(reference, wasm[i])).toBeLessThan(tolerance));
}

function normal(shape: number[], seed: number): tf.Tensor {
  return tf.randomNormal(shape, 0, 1, 'float32', seed);
}

describe('replacement kernels on wasm', () => {
  it('are registered in place of the wasm kernels they replace', () => {
    for (const k of REPLACEMENT_KERNELS)
      expect(tf.getKernel(k.kernelName, k.backendName)).toBeDefined();
    expect(REPLACEMENT_KERNELS.map((k) => k.kernelName)).toContain('Conv2DBackpropFilter');
  });

  it('BatchMatMul agrees with cpu for every transpose combination, 2-D and batched', async () => {
    for (const [ta, tb] of [
      [true, false],
      [false, true],
      [true, true],
      [false, false],
    ]) {
      await expectAgreement(() =>
        tf.matMul(normal(ta ? [7, 5] : [5, 7], 1), normal(tb ? [3, 7] : [7, 3], 2), ta, tb),
      );
      await expectAgreement(() =>
        tf.matMul(
          normal(ta ? [4, 7, 5] : [4, 5, 7], 3),
          normal(tb ? [4, 3, 7] : [4, 7, 3], 4),
          ta,
          tb,
        ),
      );
    }
  });

  it('BatchMatMul agrees with cpu when a b^T runs as (b a^T)^T (b much taller than a)', async () => {
    await expectAgreement(() => tf.matMul(normal([3, 4], 22), normal([20, 4], 23), false, true));
    await expectAgreement(() =>
      tf.matMul(normal([2, 3, 4], 24), normal([2, 20, 4], 25), false, true),
    );
  });

  it('_FusedMatMul with bias and ReLU agrees with cpu for transposed operands', async () => {
    await expectAgreement(() =>
      tf.fused.matMul({
        a: normal([7, 5], 5),
        b: normal([3, 7], 6),
        transposeA: true,
        transposeB: true,
        bias: normal([3], 7),
        activation: 'relu',
      }),
    );
  });

  it('Conv2DBackpropFilter agrees with cpu for valid and same padding, strides 1 and 2', async () => {
    const cases: [number[], number, 'valid' | 'same', number][] = [
      // Few input channels (3*3*Ci <= 32): one GEMM with dy as the right operand.
      [[3, 9, 8, 1], 1, 'valid', 3],
      [[3, 9, 8, 1], 1, 'same', 3],
      [[2, 10, 9, 3], 2, 'valid', 3],
      // Stride 1: GEMMs over shifted rows of the padded input; other strides: im2col + GEMM.
      [[3, 9, 8, 4], 1, 'same', 3],
      [[3, 9, 8, 4], 1, 'valid', 3],
      [[2, 9, 8, 5], 2, 'same', 3],
      [[2, 10, 9, 4], 2, 'valid', 3],
      // A 2x2 'same' filter pads the bottom and right only; a 4x2 filter is not square.
      [[2, 7, 9, 9], 1, 'same', 2],
      [[2, 9, 7, 5], 1, 'valid', 4],
      // More than one chunk of 1024 rows (3 * 22 * 22 padded positions).
      [[3, 20, 20, 4], 1, 'same', 3],
    ];
    for (const [shape, strides, pad, size] of cases) {
      const gradient = () => {
        const x = normal(shape, 8);
        const filter = normal([size, size === 4 ? 2 : size, shape[3], 5], 9);
        return tf.grads((w: tf.Tensor) =>
          tf
            .conv2d(x as tf.Tensor4D, w as tf.Tensor4D, strides, pad)
            .square()
            .sum(),
        )([filter]);
      };
      await expectAgreement(gradient);
    }
  });

  it('Conv2DBackpropInput agrees with cpu, including uneven padding and the strided fallback', async () => {
    for (const [size, strides, pad] of [
      [3, 1, 'valid'],
      [3, 1, 'same'],
      // A 2x2 'same' filter pads one side only: dy is padded explicitly.
      [2, 1, 'same'],
      [3, 2, 'same'],
    ] as const) {
      const filter = normal([size, size, 4, 6], 10);
      const gradient = () =>
        tf.grad((x: tf.Tensor) =>
          tf
            .conv2d(x as tf.Tensor4D, filter as tf.Tensor4D, strides, pad)
            .square()
            .sum(),
        )(normal([2, 8, 7, 4], 11));
      await expectAgreement(gradient);
    }
  });

  it('convolutions in NCHW (which the wasm kernels lack) agree with cpu, forward and gradients', async () => {
    for (const [strides, pad] of [
      [1, 'valid'],
      [1, 'same'],
      [2, 'same'],
    ] as const) {
      const x = () => normal([2, 4, 8, 7], 20) as tf.Tensor4D;
      const filter = () => normal([3, 3, 4, 6], 21) as tf.Tensor4D;
      const conv = (a: tf.Tensor, w: tf.Tensor) =>
        tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad, 'NCHW');
      await expectAgreement(() => conv(x(), filter()));
      await expectAgreement(() => tf.grads((a, w) => conv(a, w).square().sum())([x(), filter()]));
    }
  });

  it('MaxPoolGrad sends each gradient to the first maximum, as cpu does, also on ties', async () => {
    for (const [size, strides, pad] of [
      [2, 2, 'valid'],
      [3, 2, 'same'],
      [3, 1, 'same'],
    ] as const) {
      // ReLU outputs tie at 0 in many windows; a plain sum sends 1 to each window's winner.
      const x = () => tf.relu(normal([2, 6, 7, 3], 12));
      await expectAgreement(() =>
        tf.grad((v: tf.Tensor) => tf.maxPool(v as tf.Tensor4D, size, strides, pad).sum())(x()),
      );
      await expectAgreement(() =>
        tf.grad((v: tf.Tensor) =>
          tf
            .maxPool(v as tf.Tensor4D, size, strides, pad)
            .square()
            .sum(),
        )(x()),
      );
    }
  });

  it('MaxPoolGrad 2x2 agrees with cpu on windows holding NaN or -Infinity', async () => {
    const [n, inf] = [Number.NaN, Number.NEGATIVE_INFINITY];
    // Windows: all -Infinity; NaN first; NaN last; -Infinity beside finite values.
    const values = [inf, inf, n, 2, inf, inf, 1, 3, 5, 1, -inf, 0, 4, n, inf, 7];

    await expectAgreement(() =>
      tf.grad((v: tf.Tensor) =>
        tf
          .maxPool(v as tf.Tensor4D, 2, 2, 'valid')
          .mul(3)
          .sum(),
      )(tf.tensor4d(values, [1, 4, 4, 1])),
    );
  });

  it('Sum over leading axes and Mean over unit axes agree with cpu; other reductions still work', async () => {
    await expectAgreement(() => [
      tf.sum(normal([4, 5, 6, 7], 14), [0, 1, 2]),
      tf.sum(normal([9, 3], 15), 0),
      tf.sum(normal([9, 3], 16), 1),
      tf.mean(normal([9, 1], 17), -1),
      tf.mean(normal([9, 4], 18), 0),
    ]);
  });

  it('Identity shares memory: clones read the same values and free nothing early', async () => {
    await tf.setBackend('wasm');
    const bytesBefore = tf.memory().numBytes;
    const x = tf.tensor1d([1.5, -2, 3]);

    const copy = x.clone();
    const values = Array.from(copy.dataSync());
    copy.dispose();

    expect(values).toEqual([1.5, -2, 3]);
    expect(Array.from(x.dataSync())).toEqual([1.5, -2, 3]);
    x.dispose();
    expect(tf.memory().numBytes).toBe(bytesBefore);
  });

  it('leave no tensors behind', async () => {
    await tf.setBackend('wasm');
    const x = normal([2, 8, 8, 3], 19);
    const w = normal([3, 3, 3, 4], 20);
    const before = tf.memory().numTensors;

    const grads = tf.grads((a: tf.Tensor, b: tf.Tensor) =>
      tf.maxPool(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, 1, 'same'), 2, 2, 'valid').sum(),
    )([x, w]);
    tf.dispose(grads);

    expect(tf.memory().numTensors).toBe(before);
  });

  it('give one CNN training step the same weights as the cpu backend', async () => {
    const weights: Float32Array[][] = [];
    for (const backend of ['cpu', 'wasm']) {
      await tf.setBackend(backend);
      const model = buildCnn(
        { inputShape: [10, 10, 1], blocks: [[4, 8]], denseUnits: 16, classes: 3, dropout: 0.5 },
        new Rng(5),
      );
      model.compile({ optimizer: makeOptimizer('adam', 0.01), loss: 'categoricalCrossentropy' });
      attachRngs(model, new Rng(6));
      const [x, y] = [
        tf.randomUniform([8, 10, 10, 1], 0, 1, 'float32', 21),
        tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1], 'int32'), 3),
      ];

      await model.trainOnBatch(x, y);

      weights.push(model.getWeights().map((w) => w.dataSync() as Float32Array));
      tf.dispose([x, y]);
      model.dispose();
    }
    weights[0].forEach((reference, i) =>
      expect(relativeError(reference, weights[1][i])).toBeLessThan(1e-4),
    );
  });
});
