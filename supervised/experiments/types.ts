/**
 * What an experiment is: named options, the layers it trains (for the backend choice), and a
 * run function reporting per-epoch logs and final metrics.
 */
import type * as tf from '@tensorflow/tfjs';
import type { Rng } from '../../src/index';
import type { EpochLog } from '../train';
import type { OptionSpec, OptionValues } from './options';

/** Everything an experiment's run function receives. */
export interface ExperimentContext {
  /** Resolved options (defaults filled in, validated). */
  options: OptionValues;
  /** Root stream of the run, seeded with `options.seed`; spawn named children from it. */
  rng: Rng;
  /** Folder of MNIST-format (or CIFAR-10) files, when the user gave one. */
  dataDir?: string;
  /** Called after every epoch. */
  onEpochEnd?: (log: EpochLog) => void;
  /** Called after every batch with the 1-based batch index and the batch count. */
  onBatchEnd?: (batch: number, batches: number, loss: number) => void;
  /** Registers a model the caller disposes (with its optimiser) when the run ends or fails. */
  track?: (model: tf.LayersModel) => void;
}

/** Hands `model` to the context's tracker (see {@link ExperimentContext.track}) and returns it. */
export function tracked<T extends tf.LayersModel>(context: ExperimentContext, model: T): T {
  context.track?.(model);
  return model;
}

/** What a run returns. */
export interface ExperimentOutcome {
  /** One log per epoch. */
  epochs: EpochLog[];
  /** Final metrics with the stable keys (`test/accuracy`, `val/loss`, ...). */
  metrics: Record<string, number>;
  /** Experiment-specific results, e.g. fitted coefficients. */
  details?: Record<string, unknown>;
  /** The trained model, for saving; the caller disposes it. */
  model?: tf.LayersModel;
}

/** A named, parameterised experiment of SEED-NOTES.md. */
export interface Experiment {
  /** Name used on the command line, e.g. `'iris'`. */
  name: string;
  /** Row of SEED-NOTES.md it reproduces, e.g. `'S9'`. */
  notes: string;
  /** One line for `tsgym supervised list`. */
  title: string;
  /** What the notes report, for comparison. */
  reference: string;
  /** Its options, including samples, epochs, batchSize and seed. */
  options: OptionSpec[];
  /** Layer classes of the model, from which the backend is chosen. */
  layers(options: OptionValues): string[];
  /** Trains and evaluates. */
  run(context: ExperimentContext): Promise<ExperimentOutcome>;
}

/** A named comparison: one experiment run once per value of some options. */
export interface Comparison {
  /** Name used on the command line, e.g. `'optimizer-comparison'`. */
  name: string;
  /** Row of SEED-NOTES.md it reproduces. */
  notes: string;
  /** One line for `tsgym supervised list`. */
  title: string;
  /** The experiment run for each variant. */
  experiment: string;
  /**
   * The variants, each a set of option values, e.g.
   * `[{ optimizer: 'sgd' }, { optimizer: 'adam' }]`.
   */
  variants: Record<string, string>[];
}
