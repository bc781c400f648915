/**
 * The IDX file format of MNIST and Fashion-MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/):
 * two zero bytes, a type byte, a dimension count, one big-endian uint32 per dimension, then the
 * values in row-major order (big-endian for multi-byte types). Files may be gzipped.
 */
import * as fs from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { CorruptFileError, InvalidConfigError } from '../../src/index';

/** Element types an IDX file may hold, by type byte. */
const IDX_TYPES = {
  0x08: { dtype: 'uint8', size: 1 },
  0x09: { dtype: 'int8', size: 1 },
  0x0b: { dtype: 'int16', size: 2 },
  0x0c: { dtype: 'int32', size: 4 },
  0x0d: { dtype: 'float32', size: 4 },
  0x0e: { dtype: 'float64', size: 8 },
} as const;

/** Element type of an {@link IdxArray}. */
export type IdxDtype = (typeof IDX_TYPES)[keyof typeof IDX_TYPES]['dtype'];

/** A parsed IDX file. */
export interface IdxArray {
  /** The 32-bit magic number: 2049 for MNIST labels, 2051 for MNIST images. */
  magic: number;
  /** Element type. */
  dtype: IdxDtype;
  /** Dimensions from the header, outermost first (the first is the item count). */
  shape: number[];
  /** The values, row-major, converted to the host's byte order. */
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

/** Whether `bytes` start with the gzip magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function readHeader(bytes: Uint8Array, source: string): { type: number; shape: number[] } {
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new CorruptFileError(
      `${source}: not an IDX file; expected the bytes 00 00 <type> <ndims> at the start, ` +
        `received ${Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ')}. ` +
        `Point the loader at the MNIST-format files (train-images-idx3-ubyte[.gz], ...).`,
    );
  }
  const type = bytes[2];
  const ndims = bytes[3];
  if (bytes.length < 4 + 4 * ndims) {
    throw new CorruptFileError(
      `${source}: truncated IDX header; ${ndims} dimensions need ${4 + 4 * ndims} bytes, ` +
        `the file has ${bytes.length}. Re-download or reinstall the file.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // Header integers are big-endian (MNIST page); reading them little-endian turns 3 into 50331648.
  const shape = Array.from({ length: ndims }, (_, i) => view.getUint32(4 + 4 * i, false));
  return { type, shape };
}

function readValues(
  bytes: Uint8Array,
  offset: number,
  count: number,
  type: keyof typeof IDX_TYPES,
): IdxArray['data'] {
  const view = new DataView(bytes.buffer, bytes.byteOffset + offset, count * IDX_TYPES[type].size);
  switch (type) {
    case 0x08:
      return bytes.slice(offset, offset + count);
    case 0x09:
      return new Int8Array(bytes.slice(offset, offset + count).buffer);
    case 0x0b:
      return Int16Array.from({ length: count }, (_, i) => view.getInt16(2 * i, false));
    case 0x0c:
      return Int32Array.from({ length: count }, (_, i) => view.getInt32(4 * i, false));
    case 0x0d:
      return Float32Array.from({ length: count }, (_, i) => view.getFloat32(4 * i, false));
    case 0x0e:
      return Float64Array.from({ length: count }, (_, i) => view.getFloat64(8 * i, false));
  }
}

/**
 * Parses the bytes of an (already decompressed) IDX file.
 *
 * @param bytes - the whole file.
 * @param source - file name used in error messages.
 * @returns magic, element type, shape and values.
 * @throws CorruptFileError when the header is malformed, the type byte unknown, or the byte
 *   count differs from what the header announces (truncated or padded files are both rejected).
 */
export function parseIdx(bytes: Uint8Array, source = '<buffer>'): IdxArray {
  const { type, shape } = readHeader(bytes, source);
  if (!(type in IDX_TYPES)) {
    throw new CorruptFileError(
      `${source}: unknown IDX type byte 0x${type.toString(16)}; expected one of 08, 09, 0b, 0c, ` +
        `0d, 0e. The file is not an IDX file or is damaged.`,
    );
  }
  const info = IDX_TYPES[type as keyof typeof IDX_TYPES];
  const count = shape.reduce((a, b) => a * b, 1);
  const offset = 4 + 4 * shape.length;
  const expected = offset + count * info.size;
  if (bytes.length !== expected) {
    const what = bytes.length < expected ? 'truncated' : 'longer than its header says';
    throw new CorruptFileError(
      `${source}: IDX file ${what}: the header announces shape [${shape.join(', ')}] of ` +
        `${info.dtype}, i.e. ${expected} bytes, but the file has ${bytes.length}. ` +
        `Re-download the file; do not edit IDX headers by hand.`,
    );
  }

  const magic = new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, false);
  return {
    magic,
    dtype: info.dtype,
    shape,
    data: readValues(bytes, offset, count, type as keyof typeof IDX_TYPES),
  };
}

/**
 * Reads the bytes of a file, decompressing gzip (detected by its magic number, not the name).
 *
 * @throws InvalidConfigError when the file does not exist; CorruptFileError when it cannot be
 *   read or its gzip stream is damaged or cut short.
 */
export function readMaybeGzipped(path: string): Uint8Array {
  if (!fs.existsSync(path)) {
    throw new InvalidConfigError(
      `${path}: file not found. Install Debian's dataset-fashion-mnist package, or pass the ` +
        `folder holding the MNIST-format files with --data-dir.`,
    );
  }
  let bytes: Uint8Array;
  try {
    bytes = fs.readFileSync(path);
  } catch (error) {
    throw new CorruptFileError(`${path}: cannot read the file (${String(error)}).`, {
      cause: error,
    });
  }
  if (!isGzip(bytes)) return bytes;
  try {
    return gunzipSync(bytes);
  } catch (error) {
    throw new CorruptFileError(
      `${path}: the gzip stream is damaged or truncated (${(error as Error).message}). ` +
        `Re-download the file.`,
      { cause: error },
    );
  }
}

/**
 * Reads and parses an IDX file, plain or gzipped.
 *
 * @param path - the file.
 * @throws see {@link readMaybeGzipped} and {@link parseIdx}.
 */
export function readIdxFile(path: string): IdxArray {
  return parseIdx(readMaybeGzipped(path), path);
}
