/**
 * The registry of the experiments of SEED-NOTES.md and of the named comparisons between them.
 */
import { InvalidConfigError, describeValue } from '../../src/index';
import { binaryAdder } from './rnn';
import { cifar10Cnn, mlp, mnistCnn, mnistMlp, softmaxRegression } from './images';
import { closestName } from './options';
import { cubicRegression, linearRegression, quadraticExercise } from './regression';
import { iris, perceptron } from './small';
import type { Comparison, Experiment } from './types';

export * from './options';
export * from './types';

/** Every experiment, in the order of the notes. */
export const EXPERIMENTS: readonly Experiment[] = [
  linearRegression,
  cubicRegression,
  quadraticExercise,
  softmaxRegression,
  mlp,
  mnistCnn,
  perceptron,
  iris,
  mnistMlp,
  cifar10Cnn,
  binaryAdder,
];

/** The comparisons the notes made, runnable by name with `tsgym supervised run <name>`. */
export const COMPARISONS: readonly Comparison[] = [
  {
    name: 'hidden-sizes',
    notes: 'S5',
    title: 'hidden layers (600, 300) against (650, 450)',
    experiment: 'mlp',
    variants: [{ hidden: '600,300' }, { hidden: '650,450' }],
  },
  {
    name: 'optimizer-comparison',
    notes: 'S6',
    title: 'plain gradient descent, momentum, AdaGrad, RMSProp and Adam on the same net',
    experiment: 'mlp',
    variants: ['sgd', 'momentum', 'adagrad', 'rmsprop', 'adam'].map((optimizer) => ({ optimizer })),
  },
  {
    name: 'dropout-comparison',
    notes: 'S7',
    title: 'CNN with dropout 0.5 against 0',
    experiment: 'mnist-cnn',
    variants: [{ dropout: '0.5' }, { dropout: '0' }],
  },
  {
    name: 'gates',
    notes: 'S8',
    title: 'perceptron on OR, AND and XOR, and XOR with 5 hidden ReLU units',
    experiment: 'perceptron',
    variants: [{ gate: 'or' }, { gate: 'and' }, { gate: 'xor' }, { gate: 'xor', hidden: '5' }],
  },
  {
    name: 'iris-settings',
    notes: 'S9',
    title: 'IRIS: ReLU lr 0.01, sigmoid lr 0.01, sigmoid lr 0.1',
    experiment: 'iris',
    variants: [
      { activation: 'relu', learningRate: '0.01' },
      { activation: 'sigmoid', learningRate: '0.01' },
      { activation: 'sigmoid', learningRate: '0.1' },
    ],
  },
  {
    name: 'label-encodings',
    notes: 'S10',
    title: 'one-hot labels and categorical CE against integer labels and sparse CE',
    experiment: 'mnist-mlp',
    variants: [{ labels: 'one-hot' }, { labels: 'integer' }],
  },
  {
    name: 'adder-variants',
    notes: 'S14',
    title:
      'binary adder: 16 and 128 units, sigmoid, sigmoid + Adam, input dropout 0.5, recurrent dropout 0.3 with and without unroll',
    experiment: 'binary-adder',
    variants: [
      { outputActivation: 'tanh' },
      { units: '128' },
      { outputActivation: 'sigmoid' },
      { outputActivation: 'sigmoid', optimizer: 'adam' },
      { dropout: '0.5' },
      { recurrentDropout: '0.3' },
      { recurrentDropout: '0.3', unroll: 'true' },
    ],
  },
];

/**
 * The experiment called `name`.
 *
 * @throws InvalidConfigError for an unknown name, suggesting the closest one.
 */
export function getExperiment(name: string): Experiment {
  const found = EXPERIMENTS.find((e) => e.name === name);
  if (found) return found;
  const known = [...EXPERIMENTS.map((e) => e.name), ...COMPARISONS.map((c) => c.name)];
  const near = closestName(name, known);
  throw new InvalidConfigError(
    `unknown experiment ${describeValue(name)}.${near ? ` Did you mean '${near}'?` : ''} ` +
      `Run 'tsgym supervised list' to see them all: ${known.join(', ')}.`,
  );
}

/** The named comparison called `name`, if there is one. */
export function getComparison(name: string): Comparison | undefined {
  return COMPARISONS.find((c) => c.name === name);
}
