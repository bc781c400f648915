/**
 * In-memory data sets as flat typed arrays, and seeded splits and shuffles. TF.js's own
 * `shuffle` draws from an unseeded generator, so every permutation here comes from our `Rng`
 * and training runs with `shuffle: false`.
 */
import { InvalidConfigError, type Rng, describeValue } from '../../src/index';

/** Examples as flat arrays: inputs `x` and targets `y`, one row per example. */
export interface ArrayDataset {
  /** Number of examples. */
  count: number;
  /** Inputs, `count * prod(xShape)` values, row-major. */
  x: Float32Array;
  /** Shape of one input, e.g. `[784]`, `[28, 28, 1]` or `[8, 2]`. */
  xShape: number[];
  /** Targets, `count * prod(yShape)` values. */
  y: Float32Array;
  /** Shape of one target: `[1]` for a scalar or class index, `[k]` for one-hot rows. */
  yShape: number[];
}

/** Number of values in one example of a per-example shape. */
export function sizeOfShape(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Builds an {@link ArrayDataset}, checking that the array lengths agree with the shapes.
 *
 * @throws InvalidConfigError when `x` or `y` has the wrong length.
 */
export function makeDataset(
  x: Float32Array,
  xShape: number[],
  y: Float32Array,
  yShape: number[],
): ArrayDataset {
  const count = x.length / sizeOfShape(xShape);
  if (!Number.isInteger(count) || y.length !== count * sizeOfShape(yShape)) {
    throw new InvalidConfigError(
      `makeDataset: x has ${x.length} values for shape [${xShape}] and y has ${y.length} for ` +
        `shape [${yShape}]; expected whole, equal example counts. Fix the shapes.`,
    );
  }
  return { count, x, xShape, y, yShape };
}

/** The examples at `indices`, in that order, copied into a new data set. */
export function subset(dataset: ArrayDataset, indices: ArrayLike<number>): ArrayDataset {
  const xs = sizeOfShape(dataset.xShape);
  const ys = sizeOfShape(dataset.yShape);
  const x = new Float32Array(indices.length * xs);
  const y = new Float32Array(indices.length * ys);
  for (let i = 0; i < indices.length; i++) {
    const k = indices[i];
    x.set(dataset.x.subarray(k * xs, (k + 1) * xs), i * xs);
    y.set(dataset.y.subarray(k * ys, (k + 1) * ys), i * ys);
  }
  return { count: indices.length, x, xShape: dataset.xShape, y, yShape: dataset.yShape };
}

/** The indices 0..n-1 in an order drawn from `rng` (Fisher-Yates). */
export function permutation(n: number, rng: Rng): number[] {
  return rng.shuffle(Array.from({ length: n }, (_, i) => i));
}

/** Sizes or fractions of a three-way split. */
export interface SplitSizes {
  /** Validation examples: a count, or a fraction in [0, 1) of the total. @defaultValue 0 */
  validation?: number;
  /** Test examples: a count, or a fraction in [0, 1) of the total. @defaultValue 0 */
  test?: number;
}

function toCount(value: number | undefined, total: number, name: string): number {
  if (value === undefined) return 0;
  const count = value > 0 && value < 1 ? Math.round(value * total) : value;
  if (!Number.isInteger(count) || count < 0 || count > total) {
    throw new InvalidConfigError(
      `split: ${name} must be a fraction in [0, 1) or a count in [0, ${total}] (the data set ` +
        `has ${total} examples); received ${describeValue(value)}. Pass a smaller ${name} ` +
        `(--set ${name}=<count or fraction>) or more samples.`,
    );
  }
  return count;
}

/**
 * Shuffles `dataset` with `rng`, then cuts it into train, validation and test parts.
 *
 * @returns the three parts; the same seed gives the same parts.
 * @throws InvalidConfigError when the sizes do not fit in the data set.
 */
export function splitDataset(
  dataset: ArrayDataset,
  sizes: SplitSizes,
  rng: Rng,
): { train: ArrayDataset; validation: ArrayDataset; test: ArrayDataset } {
  const validation = toCount(sizes.validation, dataset.count, 'validation');
  const test = toCount(sizes.test, dataset.count, 'test');
  if (validation + test >= dataset.count) {
    throw new InvalidConfigError(
      `split: validation (${validation}) + test (${test}) leave no training example out of ` +
        `${dataset.count}. Use smaller parts.`,
    );
  }
  const order = permutation(dataset.count, rng);
  const trainEnd = dataset.count - validation - test;
  return {
    train: subset(dataset, order.slice(0, trainEnd)),
    validation: subset(dataset, order.slice(trainEnd, trainEnd + validation)),
    test: subset(dataset, order.slice(trainEnd + validation)),
  };
}

/** One-hot rows of `numClasses` for integer `labels`. */
export function oneHot(labels: ArrayLike<number>, numClasses: number): Float32Array {
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) out[i * numClasses + labels[i]] = 1;
  return out;
}
