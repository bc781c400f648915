/**
 * The training loop of the experiments: mini-batches drawn in an order shuffled by tsgym's Rng
 * (TF.js's own shuffle is unseeded), `trainOnBatch` per batch, evaluation in chunks, and a
 * per-epoch log with the live tensor count so leaks show up.
 */
import * as tf from '@tensorflow/tfjs';
import { InvalidConfigError, type Rng } from '../src/index';
import { type ArrayDataset, permutation, sizeOfShape } from './data/dataset';
import { isOneHot } from './data/mnist';

/** Metrics of one epoch, with the stable keys of metrics.jsonl. */
export interface EpochLog {
  /** 1-based epoch number. */
  epoch: number;
  /** Mean training loss over the epoch's batches, weighted by batch size. */
  'train/loss': number;
  /** Mean training accuracy, when the model has an accuracy metric. */
  'train/accuracy'?: number;
  /** Validation loss at the end of the epoch. */
  'val/loss'?: number;
  /** Validation accuracy at the end of the epoch. */
  'val/accuracy'?: number;
  /** Wall time of the epoch in seconds (training and validation). */
  seconds: number;
  /** Training examples per second in this epoch. */
  samplesPerSecond: number;
  /** `tf.memory().numTensors` after the epoch and its evaluation. */
  numTensors: number;
}

/** Options of {@link trainModel}. */
export interface TrainOptions {
  /** Passes over the training data. */
  epochs: number;
  /** Examples per gradient step. */
  batchSize: number;
  /** Stream that shuffles the training data before every epoch. */
  rng: Rng;
  /** Shuffle before every epoch. @defaultValue true */
  shuffle?: boolean;
  /** Evaluated after every epoch. */
  validation?: ArrayDataset;
  /** Called after every epoch; returning `false` stops training. */
  onEpochEnd?: (log: EpochLog) => void | boolean | Promise<void | boolean>;
  /** Called after every batch with the 1-based batch index and the batch count. */
  onBatchEnd?: (batch: number, batches: number, loss: number) => void;
}

/** Copies the examples at `order[start..end)` into input and target tensors. */
export function batchTensors(
  dataset: ArrayDataset,
  order: ArrayLike<number>,
  start: number,
  end: number,
): { x: tf.Tensor; y: tf.Tensor } {
  const xs = sizeOfShape(dataset.xShape);
  const ys = sizeOfShape(dataset.yShape);
  const n = end - start;
  const x = new Float32Array(n * xs);
  const y = new Float32Array(n * ys);
  for (let i = 0; i < n; i++) {
    const k = order[start + i];
    x.set(dataset.x.subarray(k * xs, (k + 1) * xs), i * xs);
    y.set(dataset.y.subarray(k * ys, (k + 1) * ys), i * ys);
  }
  return { x: tf.tensor(x, [n, ...dataset.xShape]), y: tf.tensor(y, [n, ...dataset.yShape]) };
}

function lossName(model: tf.LayersModel): string {
  const loss = model.loss;
  return typeof loss === 'string' ? loss : Array.isArray(loss) ? String(loss[0]) : 'custom';
}

/**
 * Checks that the targets match the compiled loss: one-hot rows for `categoricalCrossentropy`,
 * one class index per example for `sparseCategoricalCrossentropy`. TF.js would otherwise
 * broadcast integer labels against the class probabilities and return a meaningless number.
 *
 * @throws InvalidConfigError naming the loss, the target shape received and the fix.
 */
export function checkTargets(model: tf.LayersModel, data: ArrayDataset): void {
  const loss = lossName(model);
  const outputs = model.outputs[0].shape[model.outputs[0].shape.length - 1] ?? 1;
  if (loss === 'categoricalCrossentropy') {
    if (data.yShape.length !== 1 || data.yShape[0] !== outputs || !isOneHot(data.y, outputs)) {
      throw new InvalidConfigError(
        `labels: the loss categoricalCrossentropy needs one-hot labels of shape [${outputs}] ` +
          `per example; received labels of shape [${data.yShape}]` +
          `${data.yShape[0] === 1 ? ' (integer class indices)' : ' that are not one-hot rows'}. ` +
          `One-hot encode them ` +
          `(labels: 'one-hot') or use sparseCategoricalCrossentropy (labels: 'integer').`,
      );
    }
  }
  if (loss === 'sparseCategoricalCrossentropy') {
    const bad = data.y.some((v) => !Number.isInteger(v) || v < 0 || v >= outputs);
    if (sizeOfShape(data.yShape) !== 1 || bad) {
      throw new InvalidConfigError(
        `labels: the loss sparseCategoricalCrossentropy needs one integer class in [0, ` +
          `${outputs}) per example; received labels of shape [${data.yShape}]. Pass class ` +
          `indices (labels: 'integer') or use categoricalCrossentropy for one-hot labels.`,
      );
    }
  }
}

/**
 * Mean loss and accuracy of `model` on `data`, evaluated in chunks of `batchSize`.
 *
 * @returns loss, and accuracy when the model was compiled with an accuracy metric.
 */
export async function evaluateModel(
  model: tf.LayersModel,
  data: ArrayDataset,
  batchSize = 1024,
): Promise<{ loss: number; accuracy?: number }> {
  const order = Array.from({ length: data.count }, (_, i) => i);
  const sums: number[] = [];
  for (let start = 0; start < data.count; start += batchSize) {
    const end = Math.min(data.count, start + batchSize);
    const { x, y } = batchTensors(data, order, start, end);
    const result = model.evaluate(x, y, { batchSize: end - start });
    const scalars = Array.isArray(result) ? result : [result];
    const values = await Promise.all(scalars.map(async (s) => (await s.data())[0]));
    values.forEach((v, i) => (sums[i] = (sums[i] ?? 0) + v * (end - start)));
    tf.dispose([x, y, ...scalars]);
  }
  const [loss, accuracy] = sums.map((s) => s / data.count);
  return accuracy === undefined ? { loss } : { loss, accuracy };
}

async function trainEpoch(
  model: tf.LayersModel,
  train: ArrayDataset,
  options: TrainOptions,
): Promise<{ loss: number; accuracy?: number }> {
  const order =
    options.shuffle === false
      ? Array.from({ length: train.count }, (_, i) => i)
      : permutation(train.count, options.rng);
  const batches = Math.ceil(train.count / options.batchSize);
  let lossSum = 0;
  let accuracySum: number | undefined;
  for (let b = 0; b < batches; b++) {
    const start = b * options.batchSize;
    const end = Math.min(train.count, start + options.batchSize);
    const { x, y } = batchTensors(train, order, start, end);
    const result = await model.trainOnBatch(x, y);
    tf.dispose([x, y]);
    const [loss, accuracy] = Array.isArray(result) ? result : [result];
    lossSum += loss * (end - start);
    if (accuracy !== undefined) accuracySum = (accuracySum ?? 0) + accuracy * (end - start);
    options.onBatchEnd?.(b + 1, batches, loss);
  }
  const accuracy = accuracySum === undefined ? undefined : accuracySum / train.count;
  return { loss: lossSum / train.count, accuracy };
}

/**
 * Trains a compiled model for `epochs` passes over `train`, evaluating `validation` after each.
 *
 * @returns one log per epoch run.
 * @throws InvalidConfigError when the targets do not fit the loss, or the budget is invalid.
 */
export async function trainModel(
  model: tf.LayersModel,
  train: ArrayDataset,
  options: TrainOptions,
): Promise<EpochLog[]> {
  if (!(Number.isInteger(options.epochs) && options.epochs >= 0)) {
    throw new InvalidConfigError(`epochs must be an integer >= 0; received ${options.epochs}.`);
  }
  if (!(Number.isInteger(options.batchSize) && options.batchSize >= 1)) {
    throw new InvalidConfigError(
      `batchSize must be an integer >= 1; received ${options.batchSize}.`,
    );
  }
  checkTargets(model, train);
  if (options.validation && options.validation.count > 0) checkTargets(model, options.validation);

  const logs: EpochLog[] = [];
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    const started = performance.now();
    const fit = await trainEpoch(model, train, options);
    const log: EpochLog = {
      epoch,
      'train/loss': fit.loss,
      seconds: 0,
      samplesPerSecond: 0,
      numTensors: 0,
    };
    if (fit.accuracy !== undefined) log['train/accuracy'] = fit.accuracy;
    const trainSeconds = (performance.now() - started) / 1000;
    if (options.validation && options.validation.count > 0) {
      const val = await evaluateModel(model, options.validation);
      log['val/loss'] = val.loss;
      if (val.accuracy !== undefined) log['val/accuracy'] = val.accuracy;
    }
    log.seconds = (performance.now() - started) / 1000;
    log.samplesPerSecond = train.count / trainSeconds;
    log.numTensors = tf.memory().numTensors;
    logs.push(log);
    if ((await options.onEpochEnd?.(log)) === false) break;
  }
  return logs;
}
