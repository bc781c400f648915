/**
 * S1-S3: linear, cubic and quadratic regression by gradient descent on noisy points. The
 * model is one linear unit on the powers [x^d, ..., x], so its kernel holds the coefficients
 * (highest degree first) and its bias the constant term.
 */
import * as tf from '@tensorflow/tfjs';
import { polynomialData } from '../data/generators';
import { SeededInitializers } from '../layers';
import { makeOptimizer } from '../models';
import { trainModel } from '../train';
import { commonOptions, type OptionSpec } from './options';
import { type Experiment, type ExperimentContext, type ExperimentOutcome, tracked } from './types';

function regressionOptions(defaults: {
  samples: number;
  epochs: number;
  coefficients: number[];
  noise: number;
  learningRate: number;
}): OptionSpec[] {
  return [
    ...commonOptions({ samples: defaults.samples, epochs: defaults.epochs, batchSize: null }),
    {
      name: 'coefficients',
      type: 'number-list',
      default: defaults.coefficients,
      description: 'true coefficients, highest degree first (e.g. 30,0.5,0.2)',
    },
    {
      name: 'noise',
      type: 'number',
      default: defaults.noise,
      min: 0,
      description: 'std of the Gaussian noise on y',
    },
    {
      name: 'learningRate',
      type: 'number',
      default: defaults.learningRate,
      min: 0,
      description: 'gradient-descent step size',
    },
  ];
}

async function fitPolynomial(context: ExperimentContext): Promise<ExperimentOutcome> {
  const o = context.options as {
    samples: number;
    epochs: number;
    batchSize: number | null;
    coefficients: number[];
    noise: number;
    learningRate: number;
  };
  const data = polynomialData(
    { samples: o.samples, coefficients: o.coefficients, noise: o.noise },
    context.rng.spawn('data'),
  );
  const init = new SeededInitializers(context.rng.spawn('init'));
  const degree = o.coefficients.length - 1;
  const model = tracked(
    context,
    tf.sequential({
      layers: [
        tf.layers.dense({
          units: 1,
          inputShape: [degree],
          kernelInitializer: init.glorotUniform(),
        }),
      ],
    }),
  );
  model.compile({ optimizer: makeOptimizer('sgd', o.learningRate), loss: 'meanSquaredError' });

  const epochs = await trainModel(model, data, {
    epochs: o.epochs,
    batchSize: o.batchSize ?? o.samples,
    rng: context.rng.spawn('shuffle'),
    onEpochEnd: context.onEpochEnd,
    onBatchEnd: context.onBatchEnd,
  });

  const [kernel, bias] = model.getWeights().map((w) => Array.from(w.dataSync()));
  const fitted = [...kernel, bias[0]];
  const relative = fitted.map(
    (c, i) => Math.abs(c - o.coefficients[i]) / Math.abs(o.coefficients[i]),
  );
  const metrics: Record<string, number> = {
    'train/loss': epochs.at(-1)?.['train/loss'] ?? NaN,
    'fit/max_relative_error': Math.max(...relative),
  };
  return {
    epochs,
    metrics,
    details: { coefficients: fitted, trueCoefficients: o.coefficients },
    model,
  };
}

/** S1: a line through noisy points; more noise, a fitted line further from the true one. */
export const linearRegression: Experiment = {
  name: 'linear-regression',
  notes: 'S1',
  title: 'line through noisy points by gradient descent',
  reference:
    'slope 5.07, intercept -1.05 after 300 steps; Keras fit of y = 0.5x + 2: 0.4959, 1.9990',
  options: regressionOptions({
    samples: 100,
    epochs: 300,
    coefficients: [5, -1],
    noise: 1,
    learningRate: 0.1,
  }),
  layers: () => ['Dense'],
  run: fitPolynomial,
};

/** S2: the four coefficients of a cubic. */
export const cubicRegression: Experiment = {
  name: 'cubic-regression',
  notes: 'S2',
  title: 'four coefficients of a cubic from noisy points',
  reference:
    'coefficients approach the true ones as noise shrinks; loss ~21.9 after 10,000 steps with heavy noise',
  options: regressionOptions({
    samples: 100,
    epochs: 10000,
    coefficients: [1, -2, 3, 4],
    noise: 1,
    learningRate: 0.1,
  }),
  layers: () => ['Dense'],
  run: fitPolynomial,
};

/** S3: the exercise y = 30x^2 + 0.5x + 0.2. */
export const quadraticExercise: Experiment = {
  name: 'quadratic',
  notes: 'S3',
  title: 'exercise: fit y = 30x^2 + 0.5x + 0.2',
  reference: 'noise 0.5, learning rate 0.1, 3,000 steps: [30.0088, 0.5394, 0.1703], loss 0.2588',
  options: regressionOptions({
    samples: 1000,
    epochs: 3000,
    coefficients: [30, 0.5, 0.2],
    noise: 0.5,
    learningRate: 0.1,
  }),
  layers: () => ['Dense'],
  run: fitPolynomial,
};
