/**
 * The CIFAR-10 binary format (Krizhevsky, 2009, https://www.cs.toronto.edu/~kriz/cifar.html):
 * records of 1 label byte followed by 3072 pixel bytes, the 1024 red values of the 32x32 image
 * first, then green, then blue, each plane row-major. Files `data_batch_1.bin` to
 * `data_batch_5.bin` (training) and `test_batch.bin` (test), 10,000 records each.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CorruptFileError, InvalidConfigError } from '../../src/index';
import { readMaybeGzipped } from './idx';
import type { ImageDataset } from './mnist';

/** Bytes per CIFAR-10 record: 1 label + 3 x 32 x 32 pixels. */
export const CIFAR_RECORD_BYTES = 1 + 3 * 32 * 32;

/** CIFAR-10 class names, by label (batches.meta.txt). */
export const CIFAR10_CLASSES = [
  'airplane',
  'automobile',
  'bird',
  'cat',
  'deer',
  'dog',
  'frog',
  'horse',
  'ship',
  'truck',
];

/**
 * Parses CIFAR-10 binary records into height x width x channel images scaled to [0, 1].
 *
 * @param bytes - one or more whole records.
 * @param source - file name used in error messages.
 * @throws CorruptFileError when the length is not a whole number of records or a label is
 *   not in [0, 10).
 */
export function parseCifarBinary(
  bytes: Uint8Array,
  source = '<buffer>',
): { images: Float32Array; labels: Uint8Array; count: number } {
  if (bytes.length === 0 || bytes.length % CIFAR_RECORD_BYTES !== 0) {
    throw new CorruptFileError(
      `${source}: ${bytes.length} bytes is not a whole number of CIFAR-10 records of ` +
        `${CIFAR_RECORD_BYTES} bytes (1 label + 3072 pixels); the file is truncated or not in ` +
        `the binary version of CIFAR-10.`,
    );
  }
  const count = bytes.length / CIFAR_RECORD_BYTES;
  const images = new Float32Array(count * 3072);
  const labels = new Uint8Array(count);
  for (let n = 0; n < count; n++) {
    const record = n * CIFAR_RECORD_BYTES;
    labels[n] = bytes[record];
    if (labels[n] >= 10) {
      throw new CorruptFileError(
        `${source}: record ${n} has label ${labels[n]}; CIFAR-10 labels are 0..9. Is this the ` +
          `CIFAR-100 binary format (2 label bytes)?`,
      );
    }
    // Planar RGB in the file, interleaved (HWC, as TF.js conv layers expect) in memory.
    for (let p = 0; p < 1024; p++) {
      for (let c = 0; c < 3; c++)
        images[n * 3072 + p * 3 + c] = bytes[record + 1 + c * 1024 + p] / 255;
    }
  }
  return { images, labels, count };
}

/**
 * Loads the CIFAR-10 training (5 batches) or test split from the folder of the binary version.
 *
 * @throws InvalidConfigError when a batch file is missing; CorruptFileError when one is damaged.
 */
export function loadCifar10(options: {
  dir: string;
  split: 'train' | 'test';
  limit?: number;
}): ImageDataset {
  const names =
    options.split === 'train'
      ? [1, 2, 3, 4, 5].map((i) => `data_batch_${i}.bin`)
      : ['test_batch.bin'];
  const parts = names.map((name) => {
    const file = path.join(options.dir, name);
    if (!fs.existsSync(file)) {
      throw new InvalidConfigError(
        `${file}: file not found. CIFAR-10 is not shipped here; download the binary version ` +
          `(cifar-10-binary.tar.gz), unpack it and pass its folder with --data-dir.`,
      );
    }
    return parseCifarBinary(readMaybeGzipped(file), file);
  });

  const total = parts.reduce((sum, p) => sum + p.count, 0);
  const count = Math.min(total, options.limit ?? total);
  const images = new Float32Array(total * 3072);
  const labels = new Uint8Array(total);
  let offset = 0;
  for (const part of parts) {
    images.set(part.images, offset * 3072);
    labels.set(part.labels, offset);
    offset += part.count;
  }
  return {
    name: `cifar-10/${options.split}`,
    count,
    height: 32,
    width: 32,
    channels: 3,
    images: images.subarray(0, count * 3072),
    labels: labels.subarray(0, count),
    numClasses: 10,
    classNames: CIFAR10_CLASSES,
  };
}
