/**
 * S8, S9: the perceptron on logic gates and the IRIS 4-12-3 net.
 */
import * as tf from '@tensorflow/tfjs';
import { type ArrayDataset, permutation, splitDataset, subset } from '../data/dataset';
import { LOGIC_GATES, type LogicGate, logicGateData } from '../data/generators';
import { loadIris, standardize } from '../data/iris';
import { type ActivationName, OPTIMIZERS, buildMlp, makeOptimizer } from '../models';
import { evaluateModel, trainModel } from '../train';
import { commonOptions } from './options';
import { type Experiment, type ExperimentContext, type ExperimentOutcome, tracked } from './types';

async function runPerceptron(context: ExperimentContext): Promise<ExperimentOutcome> {
  const o = context.options as {
    gate: LogicGate;
    samples: number;
    hidden: number;
    epochs: number;
    batchSize: number;
    optimizer: string;
    learningRate: number;
  };
  const table = logicGateData(o.gate);
  // More samples than the 4 rows repeat the table, as a larger data set of the same gate.
  const data = subset(
    table,
    Array.from({ length: o.samples }, (_, i) => i % 4),
  );
  const model = buildMlp(
    {
      inputSize: 2,
      hidden: o.hidden > 0 ? [o.hidden] : [],
      outputs: 1,
      outputActivation: 'sigmoid',
    },
    context.rng,
  );
  model.compile({
    optimizer: makeOptimizer(o.optimizer, o.learningRate),
    loss: 'binaryCrossentropy',
    metrics: ['accuracy'],
  });

  const epochs = await trainModel(model, data, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    rng: context.rng.spawn('shuffle'),
    onEpochEnd: context.onEpochEnd,
    onBatchEnd: context.onBatchEnd,
  });
  const result = await evaluateModel(model, table);
  const output = tf.tidy(() => model.predict(tf.tensor(table.x, [4, 2])) as tf.Tensor);
  const predictions = Array.from(output.dataSync());
  output.dispose();
  return {
    epochs,
    metrics: { 'train/loss': result.loss, 'train/accuracy': result.accuracy ?? NaN },
    details: { truthTable: LOGIC_GATES[o.gate], predictions },
    model,
  };
}

/** S8: a single sigmoid unit (or one hidden ReLU layer) on OR, AND or XOR. */
export const perceptron: Experiment = {
  name: 'perceptron',
  notes: 'S8',
  title: 'perceptron on OR / AND / XOR, optional hidden ReLU layer',
  reference:
    'OR and AND learnable (100 epochs, batch 1), XOR not; XOR learnable with 5 hidden ReLU units; batch 10 needs ~300 epochs for OR',
  options: [
    ...commonOptions({ samples: 4, epochs: 100, batchSize: 1 }).map((spec) =>
      spec.name === 'samples'
        ? { ...spec, description: 'truth-table rows per epoch (the 4 rows repeated)' }
        : spec,
    ),
    {
      name: 'gate',
      type: 'string',
      default: 'or',
      choices: ['or', 'and', 'xor'],
      description: 'logic gate to learn',
    },
    {
      name: 'hidden',
      type: 'integer',
      default: 0,
      min: 0,
      description: 'hidden ReLU units (0: single-layer perceptron)',
    },
    {
      name: 'optimizer',
      type: 'string',
      default: 'sgd',
      choices: OPTIMIZERS,
      description: 'optimiser',
    },
    { name: 'learningRate', type: 'number', default: 0.1, min: 0, description: 'step size' },
  ],
  layers: () => ['Dense'],
  run: runPerceptron,
};

async function runIris(context: ExperimentContext): Promise<ExperimentOutcome> {
  const o = context.options as {
    samples: number;
    epochs: number;
    batchSize: number;
    activation: ActivationName;
    learningRate: number;
    validation: number;
    standardize: boolean;
  };
  const all = loadIris().dataset;
  const dataset: ArrayDataset =
    o.samples < all.count
      ? subset(all, permutation(all.count, context.rng.spawn('subset')).slice(0, o.samples))
      : all;
  const parts = splitDataset(dataset, { validation: o.validation }, context.rng.spawn('split'));
  let [train, validation] = [parts.train, parts.validation];
  if (o.standardize) [train, validation] = standardize(train, [validation]).datasets;
  const model = tracked(
    context,
    buildMlp(
      { inputSize: 4, hidden: [12], outputs: 3, hiddenActivation: o.activation },
      context.rng,
    ),
  );
  model.compile({
    optimizer: makeOptimizer('sgd', o.learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });

  const epochs = await trainModel(model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    rng: context.rng.spawn('shuffle'),
    validation,
    onEpochEnd: context.onEpochEnd,
    onBatchEnd: context.onBatchEnd,
  });
  const last = epochs.at(-1);
  const metrics: Record<string, number> = {};
  for (const key of ['train/loss', 'train/accuracy', 'val/loss', 'val/accuracy'] as const) {
    if (last?.[key] !== undefined) metrics[key] = last[key]!;
  }
  return { epochs, metrics, model };
}

/** S9: IRIS with a 4-12-3 net trained by plain gradient descent. */
export const iris: Experiment = {
  name: 'iris',
  notes: 'S9',
  title: 'IRIS 4-12-3 net, SGD, selectable activation and learning rate',
  reference:
    '120 train / 30 validation, 20 epochs: ReLU lr 0.01 0.9667; sigmoid lr 0.01 0.9333; sigmoid lr 0.1 0.9667',
  options: [
    ...commonOptions({ samples: 150, epochs: 20, batchSize: 1 }).map((spec) =>
      spec.name === 'samples' ? { ...spec, max: 150 } : spec,
    ),
    {
      name: 'activation',
      type: 'string',
      default: 'relu',
      choices: ['relu', 'sigmoid', 'tanh'],
      description: 'hidden activation',
    },
    { name: 'learningRate', type: 'number', default: 0.01, min: 0, description: 'SGD step size' },
    {
      name: 'validation',
      type: 'integer',
      default: 30,
      min: 1,
      max: 149,
      description: 'validation examples (of 150)',
    },
    {
      name: 'standardize',
      type: 'boolean',
      default: false,
      description: 'standardise features with training statistics',
    },
  ],
  layers: () => ['Dense'],
  run: runIris,
};
