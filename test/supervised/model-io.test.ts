import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { CorruptFileError, InvalidConfigError, Rng } from '../../src/index';
import {
  SeededInitializers,
  attachRngs,
  buildCnn,
  buildRnnAdder,
  loadModel,
  makeOptimizer,
  saveModel,
  selectBackend,
} from '../../supervised/index';

beforeAll(async () => {
  await selectBackend({ layers: ['SimpleRNN', 'LSTM', 'Conv2D', 'Dense'] });
});

function tempModelDir(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-model-')), 'model');
}

function maxDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function recurrentModel(kind: 'simpleRNN' | 'lstm'): tf.LayersModel {
  // P17's minimal input: an 8-unit recurrent layer over 8 steps of 2 features, then a sigmoid unit.
  const init = new SeededInitializers(new Rng(1));
  const recurrent = tf.layers[kind]({
    units: 8,
    returnSequences: false,
    inputShape: [8, 2],
    kernelInitializer: init.glorotUniform(),
    recurrentInitializer: init.orthogonal(),
  });
  const model = tf.sequential({
    layers: [
      recurrent,
      tf.layers.dense({ units: 1, activation: 'sigmoid', kernelInitializer: init.glorotUniform() }),
    ],
  });
  model.compile({ optimizer: makeOptimizer('adam', 0.01), loss: 'binaryCrossentropy' });
  return model;
}

async function expectSameAfterOneMoreStep(
  a: tf.LayersModel,
  b: tf.LayersModel,
  x: tf.Tensor,
  y: tf.Tensor,
) {
  await a.trainOnBatch(x, y);
  await b.trainOnBatch(x, y);
  const [wa, wb] = [a.getWeights(), b.getWeights()];
  wa.forEach((w, i) => expect(maxDiff(w, wb[i])).toBeLessThan(1e-5));
}

describe('saveModel / loadModel (P17)', () => {
  for (const kind of ['simpleRNN', 'lstm'] as const) {
    it(`restores a ${kind} model's predictions, weights and optimizer state`, async () => {
      const model = recurrentModel(kind);
      const x = tf.mul(tf.ones([1, 8, 2]), 0.5);
      const y = tf.tensor2d([[1]]);
      await model.trainOnBatch(x, y);
      const p = model.predict(x) as tf.Tensor;
      const dir = tempModelDir();

      await saveModel(model, dir);
      const { model: again } = await loadModel(dir);

      expect(maxDiff(again.predict(x) as tf.Tensor, p)).toBeLessThan(1e-6);
      expect(again.weights.map((w) => [w.originalName, w.shape])).toEqual(
        model.weights.map((w) => [w.originalName, w.shape]),
      );
      model.getWeights().forEach((w, i) => expect(maxDiff(w, again.getWeights()[i])).toBe(0));
      await expectSameAfterOneMoreStep(model, again, x, y);
    });
  }

  it('writes exactly model.json and weights.bin, replacing an earlier save', async () => {
    const model = recurrentModel('simpleRNN');
    const dir = tempModelDir();

    await saveModel(model, dir);
    await saveModel(model, dir);

    expect(fs.readdirSync(dir).sort()).toEqual(['model.json', 'weights.bin']);
    expect(fs.readdirSync(path.dirname(dir))).toEqual(['model']);
    const json = JSON.parse(fs.readFileSync(path.join(dir, 'model.json'), 'utf8'));
    expect(
      json.weightsManifest[0].weights.some((w: { group?: string }) => w.group === 'optimizer'),
    ).toBe(true);
  });

  it('continues a CNN with dropout exactly, dropout streams included', async () => {
    const build = () => {
      const model = buildCnn(
        { inputShape: [8, 8, 1], blocks: [[4]], denseUnits: 8, classes: 2, dropout: 0.5 },
        new Rng(2),
      );
      model.compile({ optimizer: makeOptimizer('rmsprop', 0.01), loss: 'categoricalCrossentropy' });
      attachRngs(model, new Rng(3));
      return model;
    };
    const model = build();
    const x = tf.randomUniform([6, 8, 8, 1], 0, 1, 'float32', 4);
    const y = tf.oneHot(tf.tensor1d([0, 1, 0, 1, 1, 0], 'int32'), 2);
    await model.trainOnBatch(x, y);
    const dir = tempModelDir();

    await saveModel(model, dir);
    const { model: again } = await loadModel(dir, new Rng(99));

    await expectSameAfterOneMoreStep(model, again, x, y);
  });

  for (const unroll of [false, true]) {
    it(`continues the binary adder with recurrent dropout exactly (unroll ${unroll})`, async () => {
      const model = buildRnnAdder(
        {
          bits: 6,
          units: 5,
          outputActivation: 'tanh',
          dropout: 0.2,
          recurrentDropout: 0.3,
          unroll,
        },
        new Rng(5),
      );
      model.compile({ optimizer: makeOptimizer('adam', 0.01), loss: 'meanSquaredError' });
      attachRngs(model, new Rng(6));
      const x = tf.randomUniform([4, 6, 2], 0, 1, 'float32', 7).round();
      const y = tf.randomUniform([4, 6, 1], 0, 1, 'float32', 8).round();
      await model.trainOnBatch(x, y);
      const dir = tempModelDir();

      await saveModel(model, dir, { note: 'adder' });
      const { model: again, metadata } = await loadModel(dir);

      expect(metadata.note).toBe('adder');
      expect(again.layers[0].getClassName()).toBe(unroll ? 'TsgymUnrolledSimpleRNN' : 'SimpleRNN');
      await expectSameAfterOneMoreStep(model, again, x, y);
    });
  }

  it('names a missing folder and a truncated weights file', async () => {
    const model = recurrentModel('simpleRNN');
    const dir = tempModelDir();
    await saveModel(model, dir);
    const weights = path.join(dir, 'weights.bin');
    fs.writeFileSync(weights, fs.readFileSync(weights).subarray(0, 100));

    await expect(loadModel(path.join(dir, 'nowhere'))).rejects.toThrow(InvalidConfigError);
    await expect(loadModel(dir)).rejects.toThrow(CorruptFileError);
    await expect(loadModel(dir)).rejects.toThrow(
      /weights.bin: 100 bytes, but model.json lists weights of \d+ bytes/,
    );
  });
});
