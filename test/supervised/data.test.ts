import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { CorruptFileError, InvalidConfigError, Rng } from '../../src/index';
import {
  CIFAR_RECORD_BYTES,
  binaryAdditionData,
  decodeLabelBuffer,
  imagesFromIdx,
  isOneHot,
  labelsFromIdx,
  loadIris,
  loadMnistLike,
  logicGateData,
  makeDataset,
  parseCifarBinary,
  parseIdx,
  polynomialData,
  readIdxFile,
  sampleOfClass,
  splitDataset,
  standardize,
} from '../../supervised/index';
import { FASHION_MNIST_DIR, hasSystemPackage } from '../helpers/system';

// P19's minimal input: the first three MNIST test labels, and a 2x2 image.
const LABEL_BYTES = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 7, 2, 1]);
const IMAGE_BYTES = Uint8Array.from([
  0, 0, 8, 3, 0, 0, 0, 1, 0, 0, 0, 2, 0, 0, 0, 2, 0x00, 0xff, 0x80, 0x01,
]);

function oneHotRows(labels: number[]): Uint8Array {
  const out = new Uint8Array(labels.length * 10);
  labels.forEach((label, i) => (out[i * 10 + label] = 1));
  return out;
}

function idxHeader(type: number, dims: number[]): Uint8Array {
  const header = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(header.buffer);
  header[2] = type;
  header[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  return header;
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

function tempDir(): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), 'tsgym-data-'));
}

describe('parseIdx (P19)', () => {
  it('reads the label file header big-endian: magic 2049, count 3, labels 7 2 1', () => {
    const idx = parseIdx(LABEL_BYTES, 'labels');

    expect(idx.magic).toBe(2049);
    expect(idx.shape).toEqual([3]);
    expect(idx.shape[0]).not.toBe(50331648);
    expect(Array.from(labelsFromIdx(idx, 'labels'))).toEqual([7, 2, 1]);
  });

  it('reads the image file: magic 2051, 1 image of 2x2, pixels scaled by 1/255', () => {
    const idx = parseIdx(IMAGE_BYTES, 'images');
    const images = imagesFromIdx(idx, 'images');

    expect(idx.magic).toBe(2051);
    expect(idx.shape).toEqual([1, 2, 2]);
    expect(Array.from(idx.data)).toEqual([0, 255, 128, 1]);
    expect(Array.from(images.pixels)).toEqual([
      0,
      1,
      expect.closeTo(0.50196, 5),
      expect.closeTo(0.00392, 5),
    ]);
  });

  it('reads multi-byte types big-endian', () => {
    const bytes = concat(idxHeader(0x0b, [2]), Uint8Array.from([0x01, 0x02, 0xff, 0xfe]));

    const idx = parseIdx(bytes);

    expect(idx.dtype).toBe('int16');
    expect(Array.from(idx.data)).toEqual([258, -2]);
  });

  it('rejects a truncated file, naming it and the byte counts', () => {
    expect(() => parseIdx(LABEL_BYTES.subarray(0, 10), 'x/t10k-labels')).toThrow(CorruptFileError);
    expect(() => parseIdx(LABEL_BYTES.subarray(0, 10), 'x/t10k-labels')).toThrow(
      /x\/t10k-labels: IDX file truncated.*11 bytes.*has 10/,
    );
  });

  it('rejects a count that disagrees with the file size, either way', () => {
    const fourLabels = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 4, 7, 2, 1]);
    const padded = concat(LABEL_BYTES, Uint8Array.from([5]));

    expect(() => parseIdx(fourLabels, 'a')).toThrow(/truncated/);
    expect(() => parseIdx(padded, 'b')).toThrow(/longer than its header says/);
  });

  it('rejects files that are not IDX', () => {
    expect(() => parseIdx(Uint8Array.from([1, 2, 3, 4, 5]), 'c')).toThrow(/not an IDX file/);
    expect(() => parseIdx(Uint8Array.from([0, 0, 0x07, 1, 0, 0, 0, 0]), 'd')).toThrow(
      /unknown IDX type byte 0x7/,
    );
  });
});

describe('label encodings (P19)', () => {
  it('decodes a one-hot buffer to 7 2 1 by argmax and detects its N * 10 length', () => {
    const { labels, encoding } = decodeLabelBuffer(oneHotRows([7, 2, 1]), 3);

    expect(encoding).toBe('one-hot');
    expect(Array.from(labels)).toEqual([7, 2, 1]);
  });

  it('keeps class indices of length N as they are', () => {
    expect(decodeLabelBuffer(Uint8Array.from([7, 2, 1]), 3)).toEqual({
      labels: Uint8Array.from([7, 2, 1]),
      encoding: 'integer',
    });
  });

  it('rejects a buffer whose length fits neither encoding', () => {
    expect(() => decodeLabelBuffer(new Uint8Array(7), 3, { source: 'lbl' })).toThrow(
      /lbl: 7 label values for 3 examples/,
    );
  });

  it('names a one-hot encoded IDX label file instead of reading ten labels per example', () => {
    const asRows = concat(idxHeader(8, [3, 10]), oneHotRows([7, 2, 1]));
    const flat = concat(idxHeader(8, [30]), oneHotRows([7, 2, 1]));

    expect(() => labelsFromIdx(parseIdx(asRows), 'rows.idx')).toThrow(
      /rows.idx: the labels are one-hot encoded/,
    );
    expect(() => labelsFromIdx(parseIdx(flat), 'flat.idx')).toThrow(CorruptFileError);
  });

  it('tells one-hot rows from index lists', () => {
    expect(isOneHot(oneHotRows([0, 9]))).toBe(true);
    expect(isOneHot(Uint8Array.from([1, 1, 0, 0, 0, 0, 0, 0, 0, 0]))).toBe(false);
    expect(isOneHot(Uint8Array.from([7, 2, 1]))).toBe(false);
  });

  it('rejects an image file passed as labels', () => {
    expect(() => labelsFromIdx(parseIdx(IMAGE_BYTES), 'img')).toThrow(
      /img: not an MNIST label file.*magic 2051/,
    );
  });
});

describe('IDX files on disk', () => {
  it('reads gzipped and plain files alike, detecting gzip by its magic number', () => {
    const dir = tempDir();
    fs.writeFileSync(path.join(dir, 'plain'), LABEL_BYTES);
    fs.writeFileSync(path.join(dir, 'zipped'), gzipSync(LABEL_BYTES));

    expect(readIdxFile(path.join(dir, 'zipped'))).toEqual(readIdxFile(path.join(dir, 'plain')));
  });

  it('names a missing file and a damaged gzip stream', () => {
    const dir = tempDir();
    const cut = gzipSync(LABEL_BYTES).subarray(0, 15);
    fs.writeFileSync(path.join(dir, 'cut.gz'), cut);

    expect(() => readIdxFile(path.join(dir, 'nope.gz'))).toThrow(InvalidConfigError);
    expect(() => readIdxFile(path.join(dir, 'nope.gz'))).toThrow(/nope.gz: file not found/);
    expect(() => readIdxFile(path.join(dir, 'cut.gz'))).toThrow(
      /cut.gz: the gzip stream is damaged or truncated/,
    );
  });

  function writeSplit(
    dir: string,
    labels: number[],
    options: { gzip: boolean; imageCount?: number },
  ) {
    const n = options.imageCount ?? labels.length;
    const images = concat(
      idxHeader(8, [n, 2, 2]),
      Uint8Array.from({ length: n * 4 }, (_, i) => i % 256),
    );
    const labelFile = concat(idxHeader(8, [labels.length]), Uint8Array.from(labels));
    const write = (name: string, data: Uint8Array) =>
      fs.writeFileSync(
        path.join(dir, options.gzip ? `${name}.gz` : name),
        options.gzip ? gzipSync(data) : data,
      );
    write('train-images-idx3-ubyte', images);
    write('train-labels-idx1-ubyte', labelFile);
  }

  it('loads an MNIST-format split from a folder the user points to', () => {
    const [zipped, plain] = [tempDir(), tempDir()];
    writeSplit(zipped, [3, 1, 4, 1], { gzip: true });
    writeSplit(plain, [3, 1, 4, 1], { gzip: false });

    const a = loadMnistLike({ dir: zipped, split: 'train' });
    const b = loadMnistLike({ dir: plain, split: 'train', limit: 2 });

    expect([a.count, a.height, a.width, Array.from(a.labels)]).toEqual([4, 2, 2, [3, 1, 4, 1]]);
    expect([b.count, Array.from(b.labels), b.images.length]).toEqual([2, [3, 1], 8]);
  });

  it('rejects image and label files of different counts', () => {
    const dir = tempDir();
    writeSplit(dir, [3, 1, 4], { gzip: false, imageCount: 4 });

    expect(() => loadMnistLike({ dir, split: 'train' })).toThrow(/3 labels for the 4 images/);
  });

  it('names the missing file and the Debian package when a split is absent', () => {
    expect(() => loadMnistLike({ dir: tempDir(), split: 'test' })).toThrow(
      /t10k-images-idx3-ubyte.*file not found\. The folder given \(--data-dir\) must hold/,
    );
  });
});

describe('Fashion-MNIST from dataset-fashion-mnist', () => {
  const files = [
    'train-images-idx3-ubyte.gz',
    'train-labels-idx1-ubyte.gz',
    't10k-images-idx3-ubyte.gz',
    't10k-labels-idx1-ubyte.gz',
  ];
  const present = hasSystemPackage(
    'dataset-fashion-mnist',
    files.map((f) => path.join(FASHION_MNIST_DIR, f)),
  );

  it.runIf(present)('holds 10,000 test images of 28x28 whose first labels are 9 2 1 1 6', () => {
    const test = loadMnistLike({ split: 'test' });

    expect([test.count, test.height, test.width, test.name]).toEqual([
      10000,
      28,
      28,
      'fashion-mnist/test',
    ]);
    expect(Array.from(test.labels.subarray(0, 5))).toEqual([9, 2, 1, 1, 6]);
    expect(test.classNames?.[9]).toBe('Ankle boot');
  });

  it.runIf(present)('samples, per class, an example of the class asked for', () => {
    const test = loadMnistLike({ split: 'test', limit: 500 });
    const rng = new Rng(3);

    for (let label = 0; label < 10; label++)
      expect(test.labels[sampleOfClass(test, label, rng)]).toBe(label);
  });
});

describe('CIFAR-10 binary format', () => {
  function record(label: number, fill: (channel: number, pixel: number) => number): Uint8Array {
    const bytes = new Uint8Array(CIFAR_RECORD_BYTES);
    bytes[0] = label;
    for (let c = 0; c < 3; c++) for (let p = 0; p < 1024; p++) bytes[1 + c * 1024 + p] = fill(c, p);
    return bytes;
  }

  it('turns planar RGB records into height x width x channel images', () => {
    const bytes = concat(
      record(3, (c) => [255, 0, 51][c]),
      record(9, (c, p) => (c === 1 && p === 33 ? 255 : 0)),
    );

    const { images, labels, count } = parseCifarBinary(bytes, 'batch.bin');

    expect([count, Array.from(labels)]).toEqual([2, [3, 9]]);
    expect(Array.from(images.subarray(0, 3))).toEqual([1, 0, Math.fround(0.2)]);
    expect(images[3072 + 33 * 3 + 1]).toBe(1);
  });

  it('rejects a partial record and a label above 9', () => {
    expect(() => parseCifarBinary(new Uint8Array(3000), 'short.bin')).toThrow(
      /short.bin: 3000 bytes is not a whole number/,
    );
    expect(() =>
      parseCifarBinary(
        record(12, () => 0),
        'c100.bin',
      ),
    ).toThrow(/c100.bin: record 0 has label 12/);
  });
});

describe('IRIS and the generators', () => {
  it('loads 150 flowers, 50 of each species', () => {
    const { dataset, labels } = loadIris();

    expect([dataset.count, dataset.xShape]).toEqual([150, [4]]);
    expect([0, 1, 2].map((c) => labels.filter((l) => l === c).length)).toEqual([50, 50, 50]);
  });

  it('splits 120 / 30 the same way for the same seed and differently for another', () => {
    const { dataset } = loadIris();

    const a = splitDataset(dataset, { validation: 30 }, new Rng(1));
    const b = splitDataset(dataset, { validation: 30 }, new Rng(1));
    const c = splitDataset(dataset, { validation: 30 }, new Rng(2));

    expect([a.train.count, a.validation.count, a.test.count]).toEqual([120, 30, 0]);
    expect(a.validation.x).toEqual(b.validation.x);
    expect(a.validation.x).not.toEqual(c.validation.x);
  });

  it('rejects a validation part larger than the data, saying how many examples there are', () => {
    const { dataset } = loadIris();

    expect(() => splitDataset(dataset, { validation: 151 }, new Rng(1))).toThrow(
      /validation .*has 150 examples\); received 151\. Pass a smaller validation \(--set validation=/,
    );
  });

  it('standardises with training statistics only', () => {
    const train = makeDataset(Float32Array.from([1, 3]), [1], Float32Array.from([0, 0]), [1]);
    const other = makeDataset(Float32Array.from([5]), [1], Float32Array.from([0]), [1]);

    const { datasets, mean, std } = standardize(train, [other]);

    expect([mean, std]).toEqual([[2], [1]]);
    expect(Array.from(datasets[1].x)).toEqual([3]);
  });

  it('generates y = 30x^2 + 0.5x + 0.2 with inputs [x^2, x], reproducibly', () => {
    const data = polynomialData({ samples: 5, coefficients: [30, 0.5, 0.2], noise: 0 }, new Rng(0));
    const again = polynomialData(
      { samples: 5, coefficients: [30, 0.5, 0.2], noise: 0 },
      new Rng(0),
    );
    const [x2, x] = [data.x[0], data.x[1]];

    expect(data.xShape).toEqual([2]);
    expect(x2).toBeCloseTo(x * x, 6);
    expect(data.y[0]).toBeCloseTo(30 * x * x + 0.5 * x + 0.2, 4);
    expect(again.y).toEqual(data.y);
  });

  it('builds the XOR truth table and binary-addition sequences, least significant bit first', () => {
    const xor = logicGateData('xor');
    const sums = binaryAdditionData({ samples: 50, bits: 8 }, new Rng(4));

    expect(Array.from(xor.y)).toEqual([0, 1, 1, 0]);
    for (let i = 0; i < 50; i++) {
      let [a, b, s] = [0, 0, 0];
      for (let t = 0; t < 8; t++) {
        a += sums.x[(i * 8 + t) * 2] << t;
        b += sums.x[(i * 8 + t) * 2 + 1] << t;
        s += sums.y[i * 8 + t] << t;
      }
      expect(s).toBe(a + b);
    }
  });
});
