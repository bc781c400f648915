/**
 * Kernels that split their work between the main thread and the wasm helper threads of
 * `helper-threads.ts`. Each split is along the leading rows of some inputs (the batch of a
 * convolution, the rows of a matrix product's left operand), so every part is a contiguous
 * prefix or slice of memory; parts are concatenated along the same rows or summed.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { type Memory, memoryOf } from './memory';
import { type HelperThread, type HostTensor, activeHelpers, waitAll } from './helper-threads';

type Tf = typeof tfTypes;
type TensorInfo = tfTypes.TensorInfo;
type KernelFunc = tfTypes.KernelFunc;
type Backend = tfTypes.KernelBackend;

/** Work below this many floating-point operations stays on one thread (hand-off overhead). */
export const MIN_SPLIT_FLOPS = 16e6;

/** How one kernel splits. */
export interface SplitSpec {
  /** Kernel name the helpers run (registered on their wasm backend). */
  kernel: string;
  /** Inputs split along their rows; the others go whole to every part. */
  split: readonly string[];
  /** Rows are the batch (axis 0) or the rows of a matrix (axis -2) of inputs and output. */
  axis: 'batch' | 'matrix';
  /** Concatenate the parts' outputs along the rows, or add them. */
  combine: 'concat' | 'sum';
  /**
   * The rows to split (a count shared by the split inputs), or undefined to run on one
   * thread (too little work, unsupported layout).
   */
  rows(inputs: Record<string, TensorInfo>, attrs: Record<string, unknown>): number | undefined;
  /** The attributes of a part with `rows` rows. */
  partAttrs?(attrs: Record<string, unknown>, rows: number): Record<string, unknown>;
  /** The output shape of a part with `rows` rows (its size sizes the shared buffer). */
  outShape(
    inputs: Record<string, TensorInfo>,
    attrs: Record<string, unknown>,
    rows: number,
  ): number[];
}

/** A kernel call's inputs without optional ones passed as undefined (a product's bias). */
function definedInputs(args: Parameters<KernelFunc>[0]): Record<string, TensorInfo> {
  return Object.fromEntries(
    Object.entries(args.inputs as Record<string, TensorInfo | undefined>).filter(
      (entry): entry is [string, TensorInfo] => entry[1] !== undefined,
    ),
  );
}

/**
 * `shape` with `rows` rows: the first axis for a batch, the second-last for the rows of a
 * matrix (whose leading axes are all 1, so its rows are contiguous too).
 */
function withRows(shape: readonly number[], rows: number, axis: SplitSpec['axis']): number[] {
  const at = axis === 'batch' ? 0 : shape.length - 2;
  return shape.map((d, i) => (i === at ? rows : d));
}

/** The first `rows` boundaries of `n` rows cut into `parts` near-equal parts. */
function boundaries(n: number, parts: number): number[] {
  return Array.from({ length: parts + 1 }, (_, i) => Math.floor((n * i) / parts));
}

function partOf(
  memory: Memory,
  inputs: Record<string, TensorInfo>,
  spec: SplitSpec,
  range: { from: number; to: number; n: number },
): Record<string, HostTensor> {
  const part: Record<string, HostTensor> = {};
  for (const [name, info] of Object.entries(inputs)) {
    const values = memory.read(info);
    if (!spec.split.includes(name)) {
      part[name] = { values, shape: info.shape };
      continue;
    }
    const rowSize = values.length / range.n;
    part[name] = {
      values: values.subarray(range.from * rowSize, range.to * rowSize),
      shape: withRows(info.shape, range.to - range.from, spec.axis),
    };
  }
  return part;
}

/**
 * `local` (a single-thread kernel) made to split its work with the running helper threads
 * as `spec` says; without helpers, or for small work, it is `local` itself.
 */
export function splitKernel(spec: SplitSpec, local: KernelFunc): KernelFunc {
  return (args) => {
    const helpers = activeHelpers();
    const inputs = definedInputs(args);
    const attrs = args.attrs as Record<string, unknown>;
    const floats = Object.values(inputs).every((t) => t.dtype === 'float32');
    const n = helpers.length > 0 && floats ? spec.rows(inputs, attrs) : undefined;
    if (n === undefined || n < helpers.length + 1) return local(args);
    const backend = args.backend as Backend;
    const memory = memoryOf(backend);
    const cut = boundaries(n, helpers.length + 1);

    // Helpers first, so they work while the main thread does its part.
    helpers.forEach((helper, i) => {
      const [from, to] = [cut[i + 1], cut[i + 2]];
      const part = partOf(memory, inputs, spec, { from, to, n });
      const partAttrs = spec.partAttrs?.(attrs, to - from) ?? attrs;
      helper.start(spec.kernel, part, partAttrs, spec.outShape(inputs, attrs, to - from));
    });
    const mine = besideHelpers(helpers, () =>
      localPart(memory, { inputs, attrs, spec, local, backend }, { rows: cut[1], n }),
    );
    const theirs = waitAll(helpers);

    const shape = spec.combine === 'concat' ? withRows(mine.shape, n, spec.axis) : mine.shape;
    const out = combine(memory, spec, mine, theirs, shape);
    backend.disposeData(mine.dataId);
    return out;
  };
}

/** Runs the main thread's part; if it throws, waits for the helpers before rethrowing. */
function besideHelpers(helpers: readonly HelperThread[], part: () => TensorInfo): TensorInfo {
  try {
    return part();
  } catch (error) {
    return waitAll(helpers, error) as never;
  }
}

interface LocalCall {
  inputs: Record<string, TensorInfo>;
  attrs: Record<string, unknown>;
  spec: SplitSpec;
  local: KernelFunc;
  backend: Backend;
}

/** The main thread's part: the first `rows` rows, copied out, through `local`. */
function localPart(
  memory: Memory,
  call: LocalCall,
  { rows, n }: { rows: number; n: number },
): TensorInfo {
  const { inputs, spec, backend } = call;
  const temporary: TensorInfo[] = [];
  const partInputs: Record<string, TensorInfo> = {};
  for (const [name, info] of Object.entries(inputs)) {
    if (!spec.split.includes(name)) {
      partInputs[name] = info;
      continue;
    }
    const copy = memory.alloc(withRows(info.shape, rows, spec.axis)).info;
    const values = memory.read(info);
    memory.read(copy).set(values.subarray(0, (values.length / n) * rows));
    partInputs[name] = copy;
    temporary.push(copy);
  }

  const attrs = spec.partAttrs?.(call.attrs, rows) ?? call.attrs;
  const out = call.local({ inputs: partInputs, backend, attrs: attrs as never }) as TensorInfo;
  for (const t of temporary) backend.disposeData(t.dataId);
  return out;
}

/** The full output from the parts: rows in order, or their sum (main part first). */
function combine(
  memory: Memory,
  spec: SplitSpec,
  mine: TensorInfo,
  theirs: HostTensor[],
  shape: number[],
): TensorInfo {
  const out = memory.alloc(shape).info;
  const values = memory.read(out);
  const first = memory.read(mine);
  values.set(first);
  if (spec.combine === 'concat') {
    let offset = first.length;
    for (const part of theirs) {
      values.set(part.values, offset);
      offset += part.values.length;
    }
    return out;
  }
  for (const part of theirs) {
    const add = part.values;
    for (let i = 0; i < values.length; i++) values[i] += add[i];
  }
  return out;
}

/** Convolution geometry from TF.js's own helper. */
function convOutShape(
  tf: Tf,
  x: readonly number[],
  filter: readonly number[],
  attrs: Record<string, unknown>,
): number[] {
  const info = tf.backend_util.computeConv2DInfo(
    x as [number, number, number, number],
    filter as [number, number, number, number],
    attrs.strides as number,
    attrs.dilations as number,
    attrs.pad as never,
    attrs.dimRoundingMode as never,
  );
  return info.outShape;
}

/** Multiply-adds of a convolution producing `out` [B, OH, OW, Co] from `filter`. */
function convFlops(out: readonly number[], filter: readonly number[]): number {
  return 2 * out[0] * out[1] * out[2] * filter[0] * filter[1] * filter[2] * filter[3];
}

function nhwc(attrs: Record<string, unknown>): boolean {
  return attrs.dataFormat === undefined || attrs.dataFormat === 'NHWC';
}

/** Conv2D: the batch of x split, the filter whole, outputs concatenated. */
export function conv2DSpec(tf: Tf): SplitSpec {
  return {
    kernel: 'Conv2D',
    axis: 'batch',
    split: ['x'],
    combine: 'concat',
    rows: ({ x, filter }, attrs) => {
      const out = convOutShape(tf, x.shape, filter.shape, attrs);
      return nhwc(attrs) && convFlops(out, filter.shape) >= MIN_SPLIT_FLOPS
        ? x.shape[0]
        : undefined;
    },
    outShape: ({ x, filter }, attrs, rows) =>
      convOutShape(tf, withRows(x.shape, rows, 'batch'), filter.shape, attrs),
  };
}

/** Conv2DBackpropInput: the batch of dy split, the filter whole, input gradients concatenated. */
export function conv2DBackpropInputSpec(): SplitSpec {
  const inputShape = (attrs: Record<string, unknown>) => attrs.inputShape as number[];
  return {
    kernel: 'Conv2DBackpropInput',
    axis: 'batch',
    split: ['dy'],
    combine: 'concat',
    rows: ({ dy, filter }, attrs) =>
      nhwc(attrs) && convFlops(dy.shape, filter.shape) >= MIN_SPLIT_FLOPS ? dy.shape[0] : undefined,
    partAttrs: (attrs, rows) => ({
      ...attrs,
      inputShape: withRows(inputShape(attrs), rows, 'batch'),
    }),
    outShape: (_, attrs, rows) => withRows(inputShape(attrs), rows, 'batch'),
  };
}

/** Conv2DBackpropFilter: the batch of x and dy split, the parts' filter gradients added. */
export function conv2DBackpropFilterSpec(): SplitSpec {
  return {
    kernel: 'Conv2DBackpropFilter',
    axis: 'batch',
    split: ['x', 'dy'],
    combine: 'sum',
    rows: ({ dy }, attrs) => {
      const filter = attrs.filterShape as number[];
      return nhwc(attrs) && convFlops(dy.shape, filter) >= MIN_SPLIT_FLOPS
        ? dy.shape[0]
        : undefined;
    },
    outShape: (_, attrs) => [...(attrs.filterShape as number[])],
  };
}

/**
 * A matrix product without transposes (`kernel` is BatchMatMul or _FusedMatMul): the rows of
 * `a` split when it holds one matrix, `b` and any bias whole, output rows concatenated.
 */
export function matMulSpec(kernel: string): SplitSpec {
  const single = (shape: readonly number[]) => shape.slice(0, -2).every((d) => d === 1);
  return {
    kernel,
    axis: 'matrix',
    split: ['a'],
    combine: 'concat',
    rows: ({ a, b }, attrs) => {
      if (attrs.transposeA || attrs.transposeB || !single(a.shape) || !single(b.shape)) {
        return undefined;
      }
      const [m, k] = a.shape.slice(-2);
      const n = b.shape[b.shape.length - 1];
      return 2 * m * k * n >= MIN_SPLIT_FLOPS ? m : undefined;
    },
    outShape: ({ b }, _, rows) => [rows, b.shape[b.shape.length - 1]],
  };
}

/** Copies columns [from, to) of the row-major [rows, cols] matrix `src` into `dst`. */
function copyColumns(
  src: Float32Array,
  dst: Float32Array,
  { rows, cols, from, to }: { rows: number; cols: number; from: number; to: number },
): void {
  const width = to - from;
  for (let r = 0; r < rows; r++) dst.set(src.subarray(r * cols + from, r * cols + to), r * width);
}

/** The column part [from, to) of `b` (and of a bias over the columns) as host tensors. */
function columnPart(
  memory: Memory,
  inputs: Record<string, TensorInfo>,
  { from, to }: { from: number; to: number },
): Record<string, HostTensor> {
  const part: Record<string, HostTensor> = {};
  const [k, n] = inputs.b.shape.slice(-2);
  for (const [name, info] of Object.entries(inputs)) {
    const values = memory.read(info);
    if (name === 'a') {
      part.a = { values, shape: info.shape };
    } else if (name === 'b') {
      const columns = new Float32Array(k * (to - from));
      copyColumns(values, columns, { rows: k, cols: n, from, to });
      part.b = { values: columns, shape: [...info.shape.slice(0, -1), to - from] };
    } else {
      part[name] = { values: values.subarray(from, to), shape: [to - from] };
    }
  }
  return part;
}

/** Whether a product's extra inputs (a bias over the columns, nothing else) split by column. */
function columnsSplittable(inputs: Record<string, TensorInfo>): boolean {
  const n = inputs.b.shape[inputs.b.shape.length - 1];
  return Object.entries(inputs).every(
    ([name, t]) =>
      name === 'a' || name === 'b' || (name === 'bias' && t.shape.reduce((x, y) => x * y, 1) === n),
  );
}

/**
 * A matrix product without transposes that splits the columns of `b` when it has at least as
 * many columns as `a` has rows (a dense layer's forward pass, where b is the weight matrix):
 * each thread then packs only its columns of `b` for the GEMM, where a split of the rows of
 * `a` would make every thread pack all of it (measured: half the rows of a 128x784 by
 * 784x512 product took as long as all of them). Otherwise the rows of `a` split.
 */
export function splitMatMul(kernel: string, local: KernelFunc): KernelFunc {
  const byRows = splitKernel(matMulSpec(kernel), local);
  return (args) => {
    const helpers = activeHelpers();
    const inputs = definedInputs(args);
    const rows =
      helpers.length > 0 ? matMulSpec(kernel).rows(inputs, args.attrs as never) : undefined;
    const n = inputs.b?.shape[inputs.b.shape.length - 1] ?? 0;
    const m = inputs.a?.shape[inputs.a.shape.length - 2] ?? 0;
    const floats = Object.values(inputs).every((t) => t.dtype === 'float32');
    if (rows === undefined || n < m || n < 2 * helpers.length + 2 || !floats) return byRows(args);
    if (!columnsSplittable(inputs)) return byRows(args);
    return columnSplit({ kernel, local, helpers, inputs, args });
  };
}

function columnSplit(call: {
  kernel: string;
  local: KernelFunc;
  helpers: readonly HelperThread[];
  inputs: Record<string, TensorInfo>;
  args: Parameters<KernelFunc>[0];
}): TensorInfo {
  const { kernel, local, helpers, inputs, args } = call;
  const backend = args.backend as Backend;
  const memory = memoryOf(backend);
  const [m, n] = [
    inputs.a.shape[inputs.a.shape.length - 2],
    inputs.b.shape[inputs.b.shape.length - 1],
  ];
  const cut = boundaries(n, helpers.length + 1);

  helpers.forEach((helper, i) => {
    const range = { from: cut[i + 1], to: cut[i + 2] };
    const part = columnPart(memory, inputs, range);
    helper.start(kernel, part, args.attrs as Record<string, unknown>, [m, range.to - range.from]);
  });
  const mine = besideHelpers(helpers, () =>
    localColumns(memory, { inputs, local, backend, attrs: args.attrs }, cut[1]),
  );
  const theirs = waitAll(helpers);

  const out = memory.alloc([...mine.shape.slice(0, -1), n]).info;
  const values = memory.read(out);
  const parts = [memory.read(mine), ...theirs.map((t) => t.values)];
  parts.forEach((part, p) => {
    const [from, width] = [cut[p], cut[p + 1] - cut[p]];
    for (let r = 0; r < m; r++) values.set(part.subarray(r * width, (r + 1) * width), r * n + from);
  });
  backend.disposeData(mine.dataId);
  return out;
}

/** The main thread's column part: columns [0, to) of `b` (and the bias), through `local`. */
function localColumns(
  memory: Memory,
  call: { inputs: Record<string, TensorInfo>; local: KernelFunc; backend: Backend; attrs: unknown },
  to: number,
): TensorInfo {
  const { a, b, ...rest } = call.inputs;
  const [k, n] = b.shape.slice(-2);
  const temporary: TensorInfo[] = [];
  const partInputs: Record<string, TensorInfo> = { a };
  // Every allocation may grow the wasm heap and detach earlier views: read after allocating.
  const columns = memory.alloc([...b.shape.slice(0, -1), to]).info;
  copyColumns(memory.read(b), memory.read(columns), { rows: k, cols: n, from: 0, to });
  partInputs.b = columns;
  temporary.push(columns);
  for (const [name, bias] of Object.entries(rest)) {
    const part = memory.alloc([to]).info;
    memory.read(part).set(memory.read(bias).subarray(0, to));
    partInputs[name] = part;
    temporary.push(part);
  }
  const out = call.local({ inputs: partInputs, backend: call.backend, attrs: call.attrs as never });
  for (const t of temporary) call.backend.disposeData(t.dataId);
  return out as TensorInfo;
}
