import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, Rng } from '../../src/index';
import {
  attachRngs,
  buildMlp,
  evaluateModel,
  makeDataset,
  makeOptimizer,
  oneHot,
  runExperiment,
  selectBackend,
  trainModel,
} from '../../supervised/index';

beforeAll(async () => {
  await selectBackend({ layers: ['Dense'] });
});

/** 60 examples of 5 features in 3 classes, integer and one-hot encoded. */
function classification(seed: number) {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: 60 * 5 }, () => rng.normal());
  const labels = Uint8Array.from({ length: 60 }, (_, i) =>
    x[i * 5] > 0.5 ? 2 : x[i * 5] > -0.5 ? 1 : 0,
  );
  return {
    integer: makeDataset(x, [5], Float32Array.from(labels), [1]),
    oneHot: makeDataset(x, [5], oneHot(labels, 3), [3]),
  };
}

function classifier(loss: string, dropout = 0): tf.LayersModel {
  const model = buildMlp({ inputSize: 5, hidden: [8], outputs: 3, dropout }, new Rng(4));
  model.compile({ optimizer: makeOptimizer('adam', 0.01), loss, metrics: ['accuracy'] });
  attachRngs(model, new Rng(5));
  return model;
}

describe('trainModel', () => {
  it('keeps tf.memory().numTensors constant after every epoch and every evaluation', async () => {
    const { oneHot: data } = classification(1);
    const model = classifier('categoricalCrossentropy', 0.3);
    const counts: number[] = [];

    const logs = await trainModel(model, data, {
      epochs: 25,
      batchSize: 16,
      rng: new Rng(2),
      validation: data,
    });
    for (let i = 0; i < 5; i++) {
      await evaluateModel(model, data, 7);
      counts.push(tf.memory().numTensors);
    }

    expect(new Set(logs.map((l) => l.numTensors)).size).toBe(1);
    expect(counts.every((c) => c === logs[0].numTensors)).toBe(true);
  });

  it('gives the same metrics bit for bit for the same seed, and others for another seed', async () => {
    const run = (seed: number) =>
      runExperiment('iris', { options: { epochs: 3, seed, batchSize: 4 } });

    const [a, b, c] = [await run(7), await run(7), await run(8)];
    const strip = (r: typeof a) =>
      r.epochs.map(({ seconds: _s, samplesPerSecond: _p, numTensors: _n, ...rest }) => rest);

    expect(strip(a)).toEqual(strip(b));
    expect(a.metrics).toEqual(b.metrics);
    expect(strip(a)).not.toEqual(strip(c));
  });

  it('frees every tensor of a run when it ends', async () => {
    await runExperiment('perceptron', { options: { epochs: 2 } });
    const before = tf.memory().numTensors;

    await runExperiment('mlp', {
      options: { epochs: 1, samples: 2, testSamples: 1, validation: 0, hidden: '3' },
    }).catch(() => undefined);
    await runExperiment('perceptron', { options: { epochs: 2, optimizer: 'adam', hidden: 3 } });

    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives the same loss for one-hot labels with categorical CE and integer labels with sparse CE', async () => {
    const data = classification(3);
    const [dense, sparse] = [
      classifier('categoricalCrossentropy'),
      classifier('sparseCategoricalCrossentropy'),
    ];

    const before = [
      await evaluateModel(dense, data.oneHot),
      await evaluateModel(sparse, data.integer),
    ];
    const logs = [
      await trainModel(dense, data.oneHot, { epochs: 3, batchSize: 10, rng: new Rng(6) }),
      await trainModel(sparse, data.integer, { epochs: 3, batchSize: 10, rng: new Rng(6) }),
    ];

    expect(before[1].loss).toBeCloseTo(before[0].loss, 6);
    expect(before[1].accuracy).toBe(before[0].accuracy);
    logs[0].forEach((log, i) => expect(logs[1][i]['train/loss']).toBeCloseTo(log['train/loss'], 5));
  });

  it('rejects integer labels fed to the one-hot loss, and one-hot labels fed to the sparse loss', async () => {
    const data = classification(3);

    await expect(
      trainModel(classifier('categoricalCrossentropy'), data.integer, {
        epochs: 1,
        batchSize: 8,
        rng: new Rng(0),
      }),
    ).rejects.toThrow(
      /labels: the loss categoricalCrossentropy needs one-hot labels of shape \[3\].*received labels of shape \[1\] \(integer class indices\)/,
    );
    await expect(
      trainModel(classifier('sparseCategoricalCrossentropy'), data.oneHot, {
        epochs: 1,
        batchSize: 8,
        rng: new Rng(0),
      }),
    ).rejects.toThrow(InvalidConfigError);
  });

  it('rejects a bad budget', async () => {
    const { oneHot: data } = classification(1);

    await expect(
      trainModel(classifier('categoricalCrossentropy'), data, {
        epochs: 1.5,
        batchSize: 8,
        rng: new Rng(0),
      }),
    ).rejects.toThrow(/epochs must be an integer >= 0; received 1.5/);
  });
});
