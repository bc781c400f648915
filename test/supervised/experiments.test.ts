import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { InvalidConfigError, readMetrics } from '../../src/index';
import {
  EXPERIMENTS,
  compareVariants,
  getExperiment,
  gridVariants,
  parseRanges,
  parseVary,
  randomVariants,
  runExperiment,
  selectBackend,
} from '../../supervised/index';
import { Rng } from '../../src/index';
import { FASHION_MNIST_DIR, hasSystemPackage } from '../helpers/system';

// Reproductions of SEED-NOTES.md with reduced budgets; thresholds come from the notes' figures.
beforeAll(async () => {
  await selectBackend({ layers: ['Dense'] });
});

describe('reproductions (reduced budgets)', () => {
  it('S3: the quadratic exercise recovers [30, 0.5, 0.2] within 2% at noise 0.5 and learning rate 0.1', async () => {
    // With the notes' 1,000 points the noise alone moves the constant term by about 10%
    // (the notes got 0.1703); 20,000 points shrink that below 2%. 800 steps suffice to converge.
    const result = await runExperiment('quadratic', { options: { samples: 20000, epochs: 800 } });
    const fitted = result.details!.coefficients as number[];

    [30, 0.5, 0.2].forEach((c, i) => expect(Math.abs(fitted[i] - c) / c).toBeLessThan(0.02));
    expect(result.metrics['train/loss']).toBeCloseTo(0.25, 1);
  });

  it('S8: the perceptron learns OR and AND, fails XOR, and learns XOR with 5 hidden ReLU units', async () => {
    const accuracy = async (gate: string, hidden = 0) =>
      (await runExperiment('perceptron', { options: { gate, hidden } })).metrics['train/accuracy'];

    expect(await accuracy('or')).toBe(1);
    expect(await accuracy('and')).toBe(1);
    expect(await accuracy('xor')).toBeLessThanOrEqual(0.75);
    expect(await accuracy('xor', 5)).toBe(1);
  });

  it('S9: IRIS 4-12-3 reaches at least 0.93 validation accuracy (ReLU, SGD lr 0.01, 20 epochs, 120/30)', async () => {
    const result = await runExperiment('iris', {
      options: { activation: 'relu', learningRate: 0.01, epochs: 20 },
    });

    expect(result.metrics['val/accuracy']).toBeGreaterThanOrEqual(0.93);
  });

  it('S14: the binary adder reaches 1.0 test accuracy with a tanh output, and with Adam on a sigmoid output', async () => {
    const budget = { samples: 2000, batchSize: 32 };

    const tanh = await runExperiment('binary-adder', {
      options: { ...budget, epochs: 10, outputActivation: 'tanh', learningRate: 0.5 },
    });
    const adam = await runExperiment('binary-adder', {
      options: {
        ...budget,
        epochs: 5,
        outputActivation: 'sigmoid',
        optimizer: 'adam',
        learningRate: 0.02,
      },
    });

    expect(tanh.metrics['test/accuracy']).toBe(1);
    expect(adam.metrics['test/accuracy']).toBe(1);
  });

  it('S14: the dropout variants rank as the notes report: none > recurrent 0.3 > input 0.5', async () => {
    // Notes: 1.0 without dropout, 0.915 with recurrent dropout 0.3, 0.688 with input dropout 0.5.
    // One seed can put recurrent dropout at 1.0 too (seed 0 here), so the ranking is taken over
    // seeds 0-2; unroll (the fused kernel, same results as the stock layer) keeps it fast.
    const accuracy = async (seed: number, extra: Record<string, number>) =>
      (
        await runExperiment('binary-adder', {
          options: { samples: 2000, epochs: 10, learningRate: 0.5, unroll: true, seed, ...extra },
        })
      ).metrics['test/accuracy'];
    const seeds = [0, 1, 2];

    const none = await Promise.all(seeds.map((seed) => accuracy(seed, {})));
    const recurrent = await Promise.all(
      seeds.map((seed) => accuracy(seed, { recurrentDropout: 0.3 })),
    );
    const input = await Promise.all(seeds.map((seed) => accuracy(seed, { dropout: 0.5 })));

    const mean = (values: number[]) => values.reduce((a, b) => a + b, 0) / values.length;
    expect(none).toEqual([1, 1, 1]);
    expect(mean(recurrent)).toBeLessThan(1);
    seeds.forEach((_, i) => expect(input[i]).toBeLessThan(recurrent[i]));
  });
});

const fashion = hasSystemPackage(
  'dataset-fashion-mnist',
  [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ].map((f) => path.join(FASHION_MNIST_DIR, f)),
);

describe.runIf(fashion)('Fashion-MNIST experiments (reduced budgets)', () => {
  it('S4: softmax regression passes 0.75 test accuracy on 5,000 images in 3 epochs', async () => {
    const result = await runExperiment('softmax-regression', {
      options: { samples: 5000, testSamples: 2000, epochs: 3 },
    });

    expect(result.metrics['test/accuracy']).toBeGreaterThan(0.75);
  });

  it('rejects more samples than the data holds, naming the option and the count', async () => {
    const run = (options: Record<string, number>) =>
      runExperiment('softmax-regression', { options: { epochs: 1, ...options } });

    await expect(run({ samples: 60001, testSamples: 10 })).rejects.toThrow(
      /samples 60001: fashion-mnist\/train has only 60000 examples/,
    );
    await expect(run({ samples: 10, testSamples: 10001 })).rejects.toThrow(
      /testSamples 10001: fashion-mnist\/test has only 10000 examples/,
    );
  });

  it('S10: one-hot and integer labels give the same losses on the same data', async () => {
    const options = { samples: 1000, testSamples: 500, epochs: 2, batchSize: 100, dropout: 0 };
    const [oneHot, integer] = await compareVariants('label-encodings', undefined, { options });

    oneHot.epochs.forEach((log, i) =>
      expect(integer.epochs[i]['train/loss']).toBeCloseTo(log['train/loss'], 4),
    );
    expect(integer.metrics['test/loss']).toBeCloseTo(oneHot.metrics['test/loss'], 4);
  });

  it('writes the run folder the viewer reads: run.json with the backend, per-epoch metrics, final test metrics, model', async () => {
    const runDir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-runs-')), 'softmax');

    await runExperiment('softmax-regression', {
      options: { samples: 500, testSamples: 200, epochs: 2 },
      runDir,
    });

    const info = JSON.parse(fs.readFileSync(path.join(runDir, 'run.json'), 'utf8'));
    const lines = readMetrics(runDir);
    expect([info.kind, info.experiment, info.status, info.backend]).toEqual([
      'supervised',
      'softmax-regression',
      'finished',
      'wasm',
    ]);
    expect(lines.map((l) => l.step)).toEqual([1, 2, 2]);
    expect(Object.keys(lines[0])).toEqual(
      expect.arrayContaining(['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy']),
    );
    expect(lines[2]['test/accuracy']).toBeGreaterThan(0.2);
    expect(fs.readdirSync(path.join(runDir, 'model')).sort()).toEqual([
      'model.json',
      'weights.bin',
    ]);
  });
});

describe('experiment registry and options', () => {
  it('lists every experiment of the notes with --samples, --epochs and --seed', () => {
    for (const experiment of EXPERIMENTS) {
      expect(experiment.options.map((o) => o.name)).toEqual(
        expect.arrayContaining(['samples', 'epochs', 'seed']),
      );
    }
    expect(EXPERIMENTS.map((e) => e.notes).join(' ')).toMatch(
      /S1.*S2.*S3.*S4.*S5.*S7.*S8.*S9.*S10.*S13.*S14/,
    );
  });

  it('rejects an unknown experiment and an unknown option, suggesting the closest name', async () => {
    expect(() => getExperiment('iriss')).toThrow(
      /unknown experiment "iriss". Did you mean 'iris'\?/,
    );
    await expect(runExperiment('iris', { options: { learningrat: 0.1 } })).rejects.toThrow(
      /iris: unknown option "learningrat". Did you mean 'learningRate'\?/,
    );
    await expect(runExperiment('iris', { options: { activation: 'swish' } })).rejects.toThrow(
      /option activation must be one of relu, sigmoid, tanh; received "swish"/,
    );
    await expect(runExperiment('iris', { options: { epochs: '-1' } })).rejects.toThrow(
      InvalidConfigError,
    );
  });

  it('accepts kebab-case names and strings from the command line', async () => {
    const result = await runExperiment('perceptron', {
      options: { 'learning-rate': '0.2', epochs: '3', gate: 'and' },
    });

    expect([result.options.learningRate, result.options.epochs, result.epochs.length]).toEqual([
      0.2, 3, 3,
    ]);
  });

  it('builds grids and seeded random searches over options', () => {
    const grid = gridVariants(parseVary(['optimizer=sgd,adam', 'hidden=600,300;650,450']));
    const ranges = parseRanges([
      'learningRate=1e-4:1e-2:log',
      'units=8:128:int',
      'optimizer=adam,rmsprop',
    ]);

    expect(grid).toEqual([
      { optimizer: 'sgd', hidden: '600,300' },
      { optimizer: 'sgd', hidden: '650,450' },
      { optimizer: 'adam', hidden: '600,300' },
      { optimizer: 'adam', hidden: '650,450' },
    ]);
    const draws = randomVariants(ranges, 20, new Rng(1));
    expect(draws).toEqual(randomVariants(ranges, 20, new Rng(1)));
    for (const d of draws) {
      expect(Number(d.learningRate)).toBeGreaterThanOrEqual(1e-4);
      expect(Number(d.learningRate)).toBeLessThanOrEqual(1e-2);
      expect(Number.isInteger(Number(d.units))).toBe(true);
    }
    expect(() => parseRanges(['learningRate=0:1:log'])).toThrow(/min > 0 for log/);
    expect(() => parseVary(['optimizer'])).toThrow(/expected <option>=<value>,<value>/);
  });
});
