/**
 * S14: a SimpleRNN learning binary addition, one bit pair per time step.
 */
import * as tf from '@tensorflow/tfjs';
import { binaryAdditionData } from '../data/generators';
import { attachRngs } from '../layers';
import { OPTIMIZERS, buildRnnAdder, makeOptimizer } from '../models';
import { evaluateModel, trainModel } from '../train';
import { type ArrayDataset } from '../data/dataset';
import { commonOptions } from './options';
import { type Experiment, type ExperimentContext, type ExperimentOutcome, tracked } from './types';

/** Fraction of sequences whose every output bit is right (threshold 0.5). */
function sequenceAccuracy(model: tf.LayersModel, data: ArrayDataset, bits: number): number {
  const output = tf.tidy(
    () => model.predict(tf.tensor(data.x, [data.count, bits, 2])) as tf.Tensor,
  );
  const values = output.dataSync();
  output.dispose();
  let right = 0;
  for (let i = 0; i < data.count; i++) {
    let ok = true;
    for (let t = 0; t < bits && ok; t++)
      ok = values[i * bits + t] > 0.5 === (data.y[i * bits + t] === 1);
    if (ok) right++;
  }
  return right / data.count;
}

async function runAdder(context: ExperimentContext): Promise<ExperimentOutcome> {
  const o = context.options as {
    samples: number;
    testSamples: number;
    epochs: number;
    batchSize: number;
    bits: number;
    units: number;
    outputActivation: 'sigmoid' | 'tanh';
    optimizer: string;
    learningRate: number | null;
    dropout: number;
    recurrentDropout: number;
    unroll: boolean;
  };
  const train = binaryAdditionData({ samples: o.samples, bits: o.bits }, context.rng.spawn('data'));
  const test = binaryAdditionData(
    { samples: o.testSamples, bits: o.bits },
    context.rng.spawn('test-data'),
  );
  const model = tracked(context, buildRnnAdder(o, context.rng));
  model.compile({
    // Plain gradient descent needs a larger step than Keras's 0.01 to learn within 20 epochs.
    optimizer: makeOptimizer(
      o.optimizer,
      o.learningRate ?? (o.optimizer === 'sgd' ? 0.1 : undefined),
    ),
    loss: 'meanSquaredError',
    metrics: ['accuracy'],
  });
  attachRngs(model, context.rng.spawn('dropout'));

  const epochs = await trainModel(model, train, {
    epochs: o.epochs,
    batchSize: o.batchSize,
    rng: context.rng.spawn('shuffle'),
    onEpochEnd: context.onEpochEnd,
    onBatchEnd: context.onBatchEnd,
  });
  const result = await evaluateModel(model, test);
  const metrics: Record<string, number> = {
    'train/loss': epochs.at(-1)?.['train/loss'] ?? NaN,
    'test/loss': result.loss,
    'test/accuracy': result.accuracy ?? NaN,
    'test/sequence_accuracy': sequenceAccuracy(model, test, o.bits),
  };
  return { epochs, metrics, model };
}

/** S14: the binary adder, with every option the notes varied. */
export const binaryAdder: Experiment = {
  name: 'binary-adder',
  notes: 'S14',
  title: 'SimpleRNN learning binary addition (bits in, sum bits out)',
  reference:
    '16 or 128 units: 1.0; output sigmoid 0.868, tanh 1.0; Adam fixes sigmoid (1.0); input dropout 0.5: 0.688; recurrent dropout 0.3: 0.915 (0.956 with unroll)',
  options: [
    ...commonOptions({ samples: 5000, epochs: 20, batchSize: 32 }),
    { name: 'testSamples', type: 'integer', default: 1000, min: 1, description: 'test sequences' },
    {
      name: 'bits',
      type: 'integer',
      default: 8,
      min: 2,
      max: 30,
      description: 'bits per number (time steps)',
    },
    { name: 'units', type: 'integer', default: 16, min: 1, description: 'SimpleRNN units' },
    {
      name: 'outputActivation',
      type: 'string',
      default: 'tanh',
      choices: ['sigmoid', 'tanh'],
      description: 'activation of the per-step output unit',
    },
    {
      name: 'optimizer',
      type: 'string',
      default: 'sgd',
      choices: OPTIMIZERS,
      description: 'optimiser',
    },
    {
      name: 'learningRate',
      type: 'number',
      default: null,
      min: 0,
      description: "step size (null: 0.1 for sgd, Keras's default for the others)",
    },
    {
      name: 'dropout',
      type: 'number',
      default: 0,
      min: 0,
      max: 0.95,
      description: 'dropout on the RNN inputs',
    },
    {
      name: 'recurrentDropout',
      type: 'number',
      default: 0,
      min: 0,
      max: 0.95,
      description: 'dropout on the recurrent state',
    },
    {
      name: 'unroll',
      type: 'boolean',
      default: false,
      description: 'run the recurrence as one fused op (same results, faster)',
    },
  ],
  layers: (o) => [o['unroll'] === true ? 'TsgymUnrolledSimpleRNN' : 'SimpleRNN', 'Dense'],
  run: runAdder,
};
