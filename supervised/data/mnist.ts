/**
 * MNIST-format image data sets (MNIST, Fashion-MNIST): IDX images and labels, label encoding
 * checks, and the default locations of Debian's `dataset-fashion-mnist` files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptFileError, InvalidConfigError, type Rng } from '../../src/index';
import { type IdxArray, readIdxFile } from './idx';

/** Magic number of an MNIST label file (type 08, one dimension). */
export const IDX_LABELS_MAGIC = 2049;
/** Magic number of an MNIST image file (type 08, three dimensions). */
export const IDX_IMAGES_MAGIC = 2051;

/** Folder of Debian's `dataset-fashion-mnist` files. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST class names, by label (Xiao, Rasul and Vollgraf, 2017, table 1). */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

/** A labelled image data set held in memory; images are scaled to [0, 1]. */
export interface ImageDataset {
  /** Where the data came from, e.g. `'fashion-mnist/train'`. */
  name: string;
  /** Number of examples. */
  count: number;
  /** Image height in pixels. */
  height: number;
  /** Image width in pixels. */
  width: number;
  /** Colour channels (1 for MNIST, 3 for CIFAR-10). */
  channels: number;
  /** Pixels of every image, row-major, height x width x channels, scaled to [0, 1]. */
  images: Float32Array;
  /** Integer class of every example. */
  labels: Uint8Array;
  /** Number of classes. */
  numClasses: number;
  /** Class names by label, when known. */
  classNames?: string[];
}

/** The gray levels 0..255 scaled to [0, 1] (x / 255). */
export function scalePixels(bytes: ArrayLike<number>): Float32Array {
  const out = new Float32Array(bytes.length);
  for (let i = 0; i < bytes.length; i++) out[i] = bytes[i] / 255;
  return out;
}

/**
 * Whether `values` are one-hot rows of `numClasses`: only 0 and 1, exactly one 1 per row.
 *
 * @param values - the flat label values.
 * @param numClasses - row length. @defaultValue 10
 */
export function isOneHot(values: ArrayLike<number>, numClasses = 10): boolean {
  if (values.length === 0 || values.length % numClasses !== 0) return false;
  for (let row = 0; row < values.length; row += numClasses) {
    let ones = 0;
    for (let k = 0; k < numClasses; k++) {
      const v = values[row + k];
      if (v === 1) ones++;
      else if (v !== 0) return false;
    }
    if (ones !== 1) return false;
  }
  return true;
}

/** The index of the 1 in each one-hot row of `numClasses` values. */
export function oneHotToIndices(values: ArrayLike<number>, numClasses = 10): Uint8Array {
  const out = new Uint8Array(values.length / numClasses);
  for (let i = 0; i < out.length; i++) {
    let best = 0;
    for (let k = 1; k < numClasses; k++) {
      if (values[i * numClasses + k] > values[i * numClasses + best]) best = k;
    }
    out[i] = best;
  }
  return out;
}

/**
 * Decodes a raw label buffer of `count` examples, detecting its encoding from its length:
 * `count` bytes are class indices; `count * numClasses` bytes of one-hot rows (as in the TF.js
 * codelab's `mnist_labels_uint8`, tfjs #5588) are converted by argmax.
 *
 * @throws CorruptFileError when the length fits neither encoding, or a one-hot-sized buffer
 *   is not one-hot.
 */
export function decodeLabelBuffer(
  values: ArrayLike<number>,
  count: number,
  options: { numClasses?: number; source?: string } = {},
): { labels: Uint8Array; encoding: 'integer' | 'one-hot' } {
  const numClasses = options.numClasses ?? 10;
  const source = options.source ?? '<labels>';
  if (values.length === count) {
    return { labels: checkedLabels(values, numClasses, source), encoding: 'integer' };
  }
  if (values.length === count * numClasses && isOneHot(values, numClasses)) {
    return { labels: oneHotToIndices(values, numClasses), encoding: 'one-hot' };
  }
  throw new CorruptFileError(
    `${source}: ${values.length} label values for ${count} examples; expected ${count} ` +
      `class indices or ${count * numClasses} one-hot values. Check that the labels belong ` +
      `to these images.`,
  );
}

function checkedLabels(values: ArrayLike<number>, numClasses: number, source: string): Uint8Array {
  const labels = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isInteger(v) || v < 0 || v >= numClasses) {
      throw new CorruptFileError(
        `${source}: label ${i} is ${v}; expected an integer class in [0, ${numClasses}). ` +
          `The file is damaged or holds another data set.`,
      );
    }
    labels[i] = v;
  }
  return labels;
}

/**
 * Interprets a parsed IDX label file (magic 2049, one dimension, uint8 class indices).
 *
 * @throws CorruptFileError for a wrong magic number, out-of-range labels, or a one-hot encoded
 *   file (shape [N, 10], or N*10 values of 0/1 with one 1 per row), which it names as such
 *   rather than reading ten labels per example.
 */
export function labelsFromIdx(idx: IdxArray, source: string, numClasses = 10): Uint8Array {
  const looksOneHot =
    (idx.shape.length === 2 && idx.shape[1] === numClasses && isOneHot(idx.data, numClasses)) ||
    (idx.shape.length === 1 && idx.data.length > numClasses && isOneHot(idx.data, numClasses));
  if (looksOneHot) {
    throw new CorruptFileError(
      `${source}: the labels are one-hot encoded (${idx.data.length} values of 0/1 with ` +
        `a single 1 per ${numClasses}), not class indices as in MNIST's label files. Convert ` +
        `them with oneHotToIndices() or decodeLabelBuffer(), or use the original label file.`,
    );
  }
  if (idx.magic !== IDX_LABELS_MAGIC || idx.shape.length !== 1) {
    throw new CorruptFileError(
      `${source}: not an MNIST label file; expected magic ${IDX_LABELS_MAGIC} with one ` +
        `dimension, received magic ${idx.magic} with shape [${idx.shape.join(', ')}]. ` +
        `Did you swap the image and label files?`,
    );
  }
  return checkedLabels(idx.data, numClasses, source);
}

/**
 * Interprets a parsed IDX image file (magic 2051, [count, rows, cols] uint8).
 *
 * @param limit - keep only the first `limit` images (all by default).
 * @returns count, rows, cols, and the pixels scaled to [0, 1].
 * @throws CorruptFileError for a wrong magic number or shape.
 */
export function imagesFromIdx(
  idx: IdxArray,
  source: string,
  limit?: number,
): { count: number; rows: number; cols: number; pixels: Float32Array } {
  if (idx.magic !== IDX_IMAGES_MAGIC || idx.shape.length !== 3) {
    throw new CorruptFileError(
      `${source}: not an MNIST image file; expected magic ${IDX_IMAGES_MAGIC} with shape ` +
        `[count, rows, cols], received magic ${idx.magic} with shape [${idx.shape.join(', ')}].` +
        ` Did you swap the image and label files?`,
    );
  }
  const [total, rows, cols] = idx.shape;
  const count = Math.min(total, limit ?? total);
  return { count, rows, cols, pixels: scalePixels(idx.data.subarray(0, count * rows * cols)) };
}

/** File names of one split, without the optional `.gz`. */
const SPLIT_FILES = {
  train: ['train-images-idx3-ubyte', 'train-labels-idx1-ubyte'],
  test: ['t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte'],
} as const;

function findFile(dir: string, base: string): string {
  for (const name of [`${base}.gz`, base, base.replace(/-idx(\d)-/, '.idx$1-')]) {
    const file = path.join(dir, name);
    if (fs.existsSync(file)) return file;
  }
  const fix =
    dir === FASHION_MNIST_DIR
      ? `Install Debian's dataset-fashion-mnist package (files in ${FASHION_MNIST_DIR}) or ` +
        `pass the folder holding the MNIST-format files with --data-dir.`
      : `The folder given (--data-dir) must hold the four MNIST-format files ` +
        `(train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte, ` +
        `t10k-labels-idx1-ubyte, each optionally .gz); omit --data-dir for Fashion-MNIST.`;
  throw new InvalidConfigError(`${path.join(dir, base)}[.gz]: file not found. ${fix}`);
}

/** Options of {@link loadMnistLike}. */
export interface MnistLoadOptions {
  /** Folder holding the four IDX files. @defaultValue {@link FASHION_MNIST_DIR} */
  dir?: string;
  /** Which split. */
  split: 'train' | 'test';
  /** Keep only the first `limit` examples. @defaultValue all */
  limit?: number;
}

/**
 * Loads one split of MNIST or Fashion-MNIST from its IDX files (plain or gzipped).
 *
 * @throws InvalidConfigError for a missing file; CorruptFileError for a damaged one, or when
 *   the image and label counts differ.
 * @example
 * ```ts
 * const train = loadMnistLike({ split: 'train', limit: 5000 });
 * ```
 */
export function loadMnistLike(options: MnistLoadOptions): ImageDataset {
  const dir = options.dir ?? FASHION_MNIST_DIR;
  const [imageBase, labelBase] = SPLIT_FILES[options.split];
  const imageFile = findFile(dir, imageBase);
  const labelFile = findFile(dir, labelBase);
  const imageIdx = readIdxFile(imageFile);
  const labels = labelsFromIdx(readIdxFile(labelFile), labelFile);
  if (labels.length !== imageIdx.shape[0]) {
    throw new CorruptFileError(
      `${labelFile}: ${labels.length} labels for the ${imageIdx.shape[0]} images of ` +
        `${imageFile}; the two files must come from the same split.`,
    );
  }

  const images = imagesFromIdx(imageIdx, imageFile, options.limit);
  const count = images.count;
  const size = images.rows * images.cols;
  const fashion = path.resolve(dir) === path.resolve(FASHION_MNIST_DIR);
  return {
    name: `${fashion ? 'fashion-mnist' : path.basename(dir)}/${options.split}`,
    count,
    height: images.rows,
    width: images.cols,
    channels: 1,
    images: images.pixels.subarray(0, count * size),
    labels: labels.subarray(0, count),
    numClasses: 10,
    classNames: fashion ? FASHION_MNIST_CLASSES : undefined,
  };
}

/**
 * Index of an example of class `label`, drawn uniformly among that class's examples.
 *
 * @throws InvalidConfigError when the data set has no example of that class.
 */
export function sampleOfClass(dataset: ImageDataset, label: number, rng: Rng): number {
  const indices: number[] = [];
  for (let i = 0; i < dataset.count; i++) if (dataset.labels[i] === label) indices.push(i);
  if (indices.length === 0) {
    throw new InvalidConfigError(
      `sampleOfClass: label ${label} has no example in ${dataset.name}; expected one of the ` +
        `classes 0..${dataset.numClasses - 1} present in the data.`,
    );
  }
  return indices[rng.int(indices.length)];
}
