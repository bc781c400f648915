/**
 * Replacement kernels for the pure TF.js backends, each composed from kernels the backend runs
 * fast, found by profiling training steps kernel by kernel (`bench/supervised.ts`):
 *
 * - wasm `BatchMatMul` / `_FusedMatMul` with a transposed operand: the wasm backend sends any
 *   transposed product to a scalar fallback loop (about 1 GFLOP/s here against about 25 for
 *   XNNPACK's GEMM). Every dense layer's weight gradient (x^T dy) and input gradient (dy W^T)
 *   is such a product. The replacement transposes the operand explicitly (a cheap copy) and
 *   calls the original kernel without transposes.
 * - wasm `Conv2DBackpropFilter`, which the wasm backend does not have at all, so no CNN could
 *   train on it: dW = im2col(x)^T dy as XNNPACK GEMMs whose left operand is copied in
 *   contiguous runs out of the transposed input (see {@link conv2DBackpropFilter}).
 *
 * - wasm `Conv2D`, `Conv2DBackpropInput`, `Conv2DBackpropFilter` and large matrix products
 *   also split their batch (or a product's columns) across helper threads when tsgym runs them
 *   (`helper-threads.ts`, `parallel-kernels.ts`): TF.js's wasm build is single-threaded in
 *   Node, and the parts run the same single-thread kernels in parallel.
 *
 * Each replacement is checked against the reference cpu backend in
 * `test/supervised/kernels.test.ts`, and each split against one thread in
 * `test/supervised/helper-threads.test.ts`.
 */
import type * as tfTypes from '@tensorflow/tfjs';
import { memoryOf } from './memory';
import {
  conv2DBackpropFilterSpec,
  conv2DBackpropInputSpec,
  conv2DSpec,
  splitKernel,
  splitMatMul,
} from './parallel-kernels';

type Tf = typeof tfTypes;
type TensorInfo = tfTypes.TensorInfo;
type KernelConfig = tfTypes.KernelConfig;
type KernelFunc = tfTypes.KernelFunc;
type Backend = tfTypes.KernelBackend;

/** A kernel tsgym registers in place of (or in addition to) a backend's own. */
export interface ReplacementKernel {
  /** TF.js kernel name. */
  kernelName: string;
  /** Backend it is registered for. */
  backendName: string;
  /** Why it exists. */
  description: string;
}

/** The replacement kernels {@link registerFastKernels} registers. */
export const REPLACEMENT_KERNELS: readonly ReplacementKernel[] = [
  {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    description:
      'transposed operands transposed explicitly, then the XNNPACK GEMM; a b^T with b much taller than a as (b a^T)^T',
  },
  {
    kernelName: '_FusedMatMul',
    backendName: 'wasm',
    description:
      'transposed operands transposed explicitly, then the XNNPACK fused GEMM; rows or columns split across the helper threads',
  },
  {
    kernelName: 'Conv2D',
    backendName: 'wasm',
    description: 'the stock XNNPACK convolution, its batch split across the helper threads',
  },
  {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    description:
      'missing kernel: few input channels as one GEMM im2col(x)^T dy; else stride 1 as GEMMs over shifted rows of the padded input, 1024 rows at a time; other strides im2col + GEMM',
  },
  {
    kernelName: 'MaxPoolGrad',
    backendName: 'wasm',
    description:
      'one JavaScript pass over the windows on the wasm heap (first maximum wins); branch-free 2x2 stride-2 loop',
  },
  {
    kernelName: 'Sum',
    backendName: 'wasm',
    description:
      'sums over all leading axes (bias gradients) in one pass, four rows at a time, float64 accumulators',
  },
  {
    kernelName: 'Identity',
    backendName: 'wasm',
    description: 'a shared reference to the input memory (as on cpu), not a copy',
  },
  {
    kernelName: 'Mean',
    backendName: 'wasm',
    description: 'means over axes of size 1 become a reshape',
  },
  {
    kernelName: 'Conv2DBackpropInput',
    backendName: 'wasm',
    description: 'stride 1: XNNPACK forward convolution of the padded dy with the flipped filter',
  },
];

/** Runs one kernel function of `backend` directly (no engine bookkeeping, no tape). */
function call(
  kernel: KernelFunc,
  backend: Backend,
  inputs: Record<string, TensorInfo>,
  attrs: Record<string, unknown> = {},
): TensorInfo {
  return kernel({ inputs, backend, attrs: attrs as never }) as TensorInfo;
}

/** The kernels a composite replacement is built from, captured before any replacement. */
interface BaseKernels {
  matMul: KernelFunc;
  fusedMatMul: KernelFunc;
  transpose: KernelFunc;
  reshape: KernelFunc;
  slice: KernelFunc;
  stridedSlice: KernelFunc;
  pad: KernelFunc;
  concat: KernelFunc;
  conv2d: KernelFunc;
  reverse: KernelFunc;
  add: KernelFunc;
}

function baseKernels(tf: Tf, backendName: string): BaseKernels | undefined {
  const get = (name: string) => tf.getKernel(name, backendName)?.kernelFunc;
  const kernels = {
    matMul: get('BatchMatMul'),
    fusedMatMul: get('_FusedMatMul'),
    transpose: get('Transpose'),
    reshape: get('Reshape'),
    slice: get('Slice'),
    stridedSlice: get('StridedSlice'),
    pad: get('PadV2'),
    concat: get('Concat'),
    conv2d: get('Conv2D'),
    reverse: get('Reverse'),
    add: get('Add'),
  };
  return Object.values(kernels).every((k) => k !== undefined)
    ? (kernels as BaseKernels)
    : undefined;
}

/** Swaps the last two axes of `x` with the backend's Transpose kernel. */
function transposeLastTwo(base: BaseKernels, backend: Backend, x: TensorInfo): TensorInfo {
  const perm = x.shape.map((_, i) => i);
  const r = perm.length;
  [perm[r - 2], perm[r - 1]] = [perm[r - 1], perm[r - 2]];
  return call(base.transpose, backend, { x }, { perm });
}

/**
 * Whether a b^T is cheaper as (b a^T)^T: the copies then move a and the product instead of b
 * (and the GEMM packs a^T, not b^T, as its right operand). True for a dense layer's input
 * gradient dy W^T when the layer has many more inputs than the batch has rows.
 */
function cheaperSwapped(a: TensorInfo, b: TensorInfo): boolean {
  const r = a.shape.length;
  if (r !== b.shape.length || a.shape.slice(0, -2).some((d, i) => d !== b.shape[i])) return false;
  const [m, k, n] = [a.shape[r - 2], a.shape[r - 1], b.shape[r - 2]];
  return 2 * m * k + m * n < 2 * n * k;
}

/** a b^T computed as (b a^T)^T with explicit transposes and no transposed GEMM. */
function swappedProduct(
  base: BaseKernels,
  inner: KernelFunc,
  backend: Backend,
  { a, b, attrs }: { a: TensorInfo; b: TensorInfo; attrs?: object },
): TensorInfo {
  const aT = transposeLastTwo(base, backend, a);
  // Only element-wise attributes (a fused activation) remain, so they commute with ^T.
  const product = inner({
    inputs: { a: b, b: aT },
    backend,
    attrs: { ...attrs, transposeA: false, transposeB: false },
  }) as TensorInfo;
  const out = transposeLastTwo(base, backend, product);
  for (const t of [aT, product]) backend.disposeData(t.dataId);
  return out;
}

/**
 * A matmul kernel that never hands a transposed operand to `inner`: it transposes the operand
 * itself and clears the flag. Other inputs (bias, prelu weights) and attributes pass through.
 */
function explicitTransposeMatMul(base: BaseKernels, inner: KernelFunc): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as Backend;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    if (!transposeA && !transposeB) return inner({ inputs, backend, attrs });
    const { a, b, ...rest } = inputs as Record<string, TensorInfo>;
    if (transposeB && !transposeA && Object.keys(rest).length === 0 && cheaperSwapped(a, b)) {
      return swappedProduct(base, inner, backend, { a, b, attrs });
    }
    const temporary: TensorInfo[] = [];
    const a2 = transposeA ? transposeLastTwo(base, backend, a) : a;
    const b2 = transposeB ? transposeLastTwo(base, backend, b) : b;
    if (transposeA) temporary.push(a2);
    if (transposeB) temporary.push(b2);
    const out = inner({
      inputs: { ...rest, a: a2, b: b2 },
      backend,
      attrs: { ...attrs, transposeA: false, transposeB: false },
    }) as TensorInfo;
    for (const t of temporary) backend.disposeData(t.dataId);
    return out;
  };
}

/** Geometry of a 2-D convolution, as computed by TF.js's own `computeConv2DInfo`. */
type ConvInfo = ReturnType<Tf['backend_util']['computeConv2DInfo']>;

/** Attributes of the Conv2D gradient kernels. */
interface ConvAttrs {
  strides: [number, number] | number;
  pad: 'valid' | 'same' | number;
  dataFormat: 'NHWC' | 'NCHW';
  dilations?: [number, number] | number;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

/**
 * Geometry of a 2-D convolution gradient (TF.js's own `computeConv2DInfo`) in NHWC layout. The
 * gradient kernels never see dilations (TF.js rejects the gradient of a dilated convolution
 * before any kernel runs) nor NCHW (which {@link channelsFirstAsLast} turns into NHWC).
 */
function convGeometry(
  tf: Tf,
  kernelName: string,
  shapes: { x: number[]; filter: number[] },
  attrs: ConvAttrs,
): ConvInfo {
  const dilated = [attrs.dilations ?? 1].flat().some((d) => d !== 1);
  if ((attrs.dataFormat ?? 'NHWC') !== 'NHWC' || dilated) {
    throw new Error(
      `tsgym's wasm ${kernelName} received dataFormat '${attrs.dataFormat}' and dilations ` +
        `${JSON.stringify(attrs.dilations)}, which TF.js never passes to it; this is a tsgym bug.`,
    );
  }
  return tf.backend_util.computeConv2DInfo(
    shapes.x as [number, number, number, number],
    shapes.filter as [number, number, number, number],
    attrs.strides,
    1,
    attrs.pad as never,
    attrs.dimRoundingMode,
  );
}

/**
 * im2col of images [start, start + count) of NHWC `x` into `out`, one row per output position
 * (b, i, j) holding the window x_pad[b, i*s + kh, j*s + kw, ci] in (kh, kw, ci) order, which is
 * the row order of the filter [KH, KW, Ci, Co] flattened to [KH*KW*Ci, Co]. Padding reads 0.
 */
function im2colRowsJs(
  x: Float32Array,
  out: Float32Array,
  info: ConvInfo,
  images: { start: number; count: number },
): void {
  const { inHeight: h, inWidth: w, inChannels: c, filterHeight: fh, filterWidth: fw } = info;
  const { top, left } = info.padInfo;
  let p = 0;
  for (let b = images.start; b < images.start + images.count; b++) {
    for (let i = 0; i < info.outHeight; i++) {
      for (let j = 0; j < info.outWidth; j++) {
        for (let kh = 0; kh < fh; kh++) {
          const row = i * info.strideHeight + kh - top;
          for (let kw = 0; kw < fw; kw++) {
            const col = j * info.strideWidth + kw - left;
            if (row < 0 || row >= h || col < 0 || col >= w) {
              out.fill(0, p, p + c);
            } else {
              const src = ((b * h + row) * w + col) * c;
              for (let ci = 0; ci < c; ci++) out[p + ci] = x[src + ci];
            }
            p += c;
          }
        }
      }
    }
  }
}

/** The transpose of a row-major [rows, cols] matrix. */
function transposeJs(values: Float32Array, rows: number, cols: number, out: Float32Array): void {
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) out[c * rows + r] = values[r * cols + c];
  }
}

/** Filter sizes KH*KW*Ci up to this take {@link fewChannelsFilterGradient}. */
const FEW_CHANNELS_ROWS = 32;

/**
 * Conv2DBackpropFilter for stride 1 as GEMMs over shifted rows of the padded input. With x
 * zero-padded to [B, HP, WP, Ci] and flattened to rows q = (b*HP + r)*WP + c, and dy placed on
 * the same grid (zero where r \>= OH or c \>= OW), the input pixel under filter tap (kh, kw) for
 * output q is row q + kh*WP + kw, so
 * dW[kh, kw, ci, co] = sum over q of x_rows[q + kh*WP + kw, ci] * dy_grid[q, co].
 * Each chunk of q is one XNNPACK GEMM [KH*KW*Ci, n] x [n, Co] whose result is already in the
 * filter layout; its left operand is KH*KW*Ci contiguous copies out of x^T (one Transpose of
 * the whole input), so no JavaScript loop touches single elements. Chunks of 1024 rows keep
 * the operands in cache; partial products are summed in float64. The grid wastes the border
 * positions (17% more products for 26x26 inputs and 3x3 filters) and measured twice as fast
 * as the swapped-role convolution used before (batch as channels, 300 against 155 ms for the
 * second layer of the MNIST CNN). Batched products are avoided: the wasm BatchMatMul with a
 * batch dimension above 1 measured about 8 times slower than one call per matrix.
 */
function conv2DBackpropFilter(tf: Tf, base: BaseKernels, chunkRows = 1024): KernelFunc {
  const strided = im2colFilterGradient(tf, base);
  const fewChannels = fewChannelsFilterGradient(tf, base);
  return (args) => {
    const { x, dy } = args.inputs as { x: TensorInfo; dy: TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & {
      filterShape: [number, number, number, number];
    };
    const info = convGeometry(tf, 'Conv2DBackpropFilter', { x: x.shape, filter: a.filterShape }, a);
    if (info.filterHeight * info.filterWidth * info.inChannels <= FEW_CHANNELS_ROWS) {
      return fewChannels(args);
    }
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return strided(args);
    const backend = args.backend as Backend;
    const memory = memoryOf(backend);
    const { top, bottom, left, right } = info.padInfo;
    const [hp, wp] = [info.inHeight + top + bottom, info.inWidth + left + right];
    const [ci, co, fh, fw] = [
      info.inChannels,
      info.outChannels,
      info.filterHeight,
      info.filterWidth,
    ];
    const temporary: TensorInfo[] = [];
    const keep = (t: TensorInfo) => (temporary.push(t), t);
    const padded =
      top + bottom + left + right === 0
        ? x
        : keep(
            call(
              base.pad,
              backend,
              { x },
              {
                paddings: [
                  [0, 0],
                  [top, bottom],
                  [left, right],
                  [0, 0],
                ],
                constantValue: 0,
              },
            ),
          );
    const rows = info.batchSize * hp * wp;
    const flat = keep(call(base.reshape, backend, { x: padded }, { shape: [rows, ci] }));
    const xT = keep(call(base.transpose, backend, { x: flat }, { perm: [1, 0] }));
    const dyGrid = keep(
      call(
        base.pad,
        backend,
        { x: dy },
        {
          paddings: [
            [0, 0],
            [0, hp - info.outHeight],
            [0, wp - info.outWidth],
            [0, 0],
          ],
          constantValue: 0,
        },
      ),
    );
    const m = fh * fw * ci;
    // Rows q past this read beyond x, and dy_grid is zero on all of them.
    const used = rows - ((fh - 1) * wp + fw - 1);
    const total = new Float64Array(m * co);
    for (let start = 0; start < used; start += chunkRows) {
      const n = Math.min(chunkRows, used - start);
      const lhs = memory.alloc([m, n]);
      const rhs = memory.alloc([n, co]);
      const [lv, xv] = [lhs.values(), memory.read(xT)];
      for (let kh = 0; kh < fh; kh++) {
        for (let kw = 0; kw < fw; kw++) {
          const shift = start + kh * wp + kw;
          for (let c = 0; c < ci; c++) {
            const from = c * rows + shift;
            lv.set(xv.subarray(from, from + n), ((kh * fw + kw) * ci + c) * n);
          }
        }
      }
      rhs.values().set(memory.read(dyGrid).subarray(start * co, (start + n) * co));
      const part = call(
        base.matMul,
        backend,
        { a: lhs.info, b: rhs.info },
        { transposeA: false, transposeB: false },
      );
      const values = memory.read(part);
      for (let i = 0; i < total.length; i++) total[i] += values[i];
      for (const t of [lhs.info, rhs.info, part]) backend.disposeData(t.dataId);
    }
    for (const t of temporary) backend.disposeData(t.dataId);
    // total is [KH*KW*Ci, Co], the filter layout.
    const dw = memory.alloc(a.filterShape);
    dw.values().set(total);
    return dw.info;
  };
}

/**
 * The transposed im2col matrix of NHWC `x` into `out`: row (kh, kw, ci) holds
 * x_pad[b, i*s + kh, j*s + kw, ci] over all output positions (b, i, j). Padding reads 0.
 */
function im2colColumnsJs(x: Float32Array, out: Float32Array, info: ConvInfo): void {
  const { inHeight: h, inWidth: w, inChannels: c, outHeight: oh, outWidth: ow } = info;
  const { top, left } = info.padInfo;
  let p = 0;
  for (let kh = 0; kh < info.filterHeight; kh++) {
    for (let kw = 0; kw < info.filterWidth; kw++) {
      for (let ci = 0; ci < c; ci++) {
        for (let b = 0; b < info.batchSize; b++) {
          for (let i = 0; i < oh; i++) {
            const row = i * info.strideHeight + kh - top;
            const inside = row >= 0 && row < h;
            for (let j = 0; j < ow; j++, p++) {
              const col = j * info.strideWidth + kw - left;
              out[p] = inside && col >= 0 && col < w ? x[((b * h + row) * w + col) * c + ci] : 0;
            }
          }
        }
      }
    }
  }
}

/**
 * Conv2DBackpropFilter for few input channels (the first layer of an image net) as one GEMM
 * whose right operand is dy itself: dW [KH*KW*Ci, Co] = im2col(x)^T dy [B*OH*OW, Co], already
 * in the filter layout. The transposed im2col matrix is small (KH*KW*Ci rows) and dy needs no
 * copy; the swapped-role convolution spent most of its time on a filter as large as dy.
 */
function fewChannelsFilterGradient(tf: Tf, base: BaseKernels): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as Backend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    const info = convGeometry(tf, 'Conv2DBackpropFilter', { x: x.shape, filter: a.filterShape }, a);
    const memory = memoryOf(backend);
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const n = info.batchSize * info.outHeight * info.outWidth;
    const cols = memory.alloc([k, n]);
    im2colColumnsJs(memory.read(x), cols.values(), info);
    const rows = call(base.reshape, backend, { x: dy }, { shape: [n, info.outChannels] });
    const product = call(
      base.matMul,
      backend,
      { a: cols.info, b: rows },
      { transposeA: false, transposeB: false },
    );
    const dw = call(base.reshape, backend, { x: product }, { shape: a.filterShape });
    for (const t of [cols.info, rows, product]) backend.disposeData(t.dataId);
    return dw;
  };
}

/**
 * Conv2DBackpropFilter for any stride as im2col + GEMM, in chunks of images:
 * dW[kh, kw, ci, co] = sum over b, i, j of x_pad[b, i*s + kh, j*s + kw, ci] * dy[b, i, j, co],
 * i.e. dW^T = dy^T cols with cols the im2col matrix. Each chunk's cols (rows = output
 * positions) and dy^T are written by JavaScript loops straight into backend memory (the wasm
 * Slice kernel copies rows with one typed-array call each and was the bottleneck), then one
 * non-transposed XNNPACK GEMM [Co, n] x [n, KH*KW*Ci] per chunk, accumulated in float64.
 * Chunks keep the GEMM operands cache-sized: one GEMM whose reduction runs over all
 * B*OH*OW positions streams them from memory and ran slower here.
 */
function im2colFilterGradient(tf: Tf, base: BaseKernels, chunkRows = 2304): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as Backend;
    const { x, dy } = inputs as { x: TensorInfo; dy: TensorInfo };
    const a = attrs as unknown as ConvAttrs & { filterShape: [number, number, number, number] };
    const info = convGeometry(tf, 'Conv2DBackpropFilter', { x: x.shape, filter: a.filterShape }, a);
    const memory = memoryOf(backend);
    const k = info.filterHeight * info.filterWidth * info.inChannels;
    const co = info.outChannels;
    const perImage = info.outHeight * info.outWidth;
    const step = Math.min(x.shape[0], Math.max(1, Math.floor(chunkRows / perImage)));
    const total = new Float64Array(co * k);
    for (let start = 0; start < x.shape[0]; start += step) {
      const count = Math.min(step, x.shape[0] - start);
      const n = count * perImage;
      const cols = memory.alloc([n, k]);
      const dyT = memory.alloc([co, n]);
      im2colRowsJs(memory.read(x), cols.values(), info, { start, count });
      transposeJs(
        memory.read(dy).subarray(start * perImage * co, (start + count) * perImage * co),
        n,
        co,
        dyT.values(),
      );
      const part = call(
        base.matMul,
        backend,
        { a: dyT.info, b: cols.info },
        { transposeA: false, transposeB: false },
      );
      const values = memory.read(part);
      for (let i = 0; i < total.length; i++) total[i] += values[i];
      for (const t of [cols.info, dyT.info, part]) backend.disposeData(t.dataId);
    }
    // total is dW^T [Co, KH*KW*Ci]; the filter layout is [KH, KW, Ci, Co].
    const dw = memory.alloc(a.filterShape);
    const out = dw.values();
    for (let r = 0; r < co; r++) for (let c = 0; c < k; c++) out[c * co + r] = total[r * k + c];
    return dw.info;
  };
}

/** Geometry of a 2-D pooling, as computed by TF.js's own `computePool2DInfo`. */
type PoolInfo = ReturnType<Tf['backend_util']['computePool2DInfo']>;

/** A 2x2 pool with stride 2 and no padding (the common case, with a dedicated loop). */
function isPlainTwoByTwo(info: PoolInfo): boolean {
  const { top, left } = info.padInfo;
  return (
    info.filterHeight === 2 &&
    info.filterWidth === 2 &&
    info.strideHeight === 2 &&
    info.strideWidth === 2 &&
    top === 0 &&
    left === 0 &&
    2 * info.outHeight <= info.inHeight &&
    2 * info.outWidth <= info.inWidth
  );
}

/** Offset of the first maximum of `x` at `at + offsets[k]` (strict `>`), or -1 if none. */
function firstMaximum(x: Float32Array, at: number, offsets: number[]): number {
  let [best, bestValue] = [-1, Number.NEGATIVE_INFINITY];
  for (const o of offsets) {
    if (x[at + o] > bestValue) [best, bestValue] = [o, x[at + o]];
  }
  return best;
}

/**
 * MaxPoolGrad of a 2x2, stride 2, unpadded pool into the zeroed `out`: the windows do not
 * overlap, so each dy is written to its window's first maximum in the cpu kernel's order
 * (row by row, strict `>`). The winner is found with comparisons combined as integers, no
 * branches: random data made the branchy loop mispredict and run 2x slower. The bottom row
 * wins when one of its values beats both top values. Windows holding NaN or -Infinity take
 * the exact scan.
 */
function maxPoolGradTwoByTwo(
  x: Float32Array,
  g: Float32Array,
  out: Float32Array,
  info: PoolInfo,
): void {
  const { inHeight: h, inWidth: w, inChannels: c } = info;
  const [oh, ow] = [info.outHeight, info.outWidth];
  const r = w * c;
  const offsets = [0, c, r, r + c];
  let q = 0;
  for (let b = 0; b < info.batchSize; b++) {
    for (let i = 0; i < oh; i++) {
      for (let j = 0; j < ow; j++) {
        const p0 = (b * h + 2 * i) * r + 2 * j * c;
        for (let a = p0; a < p0 + c; a++, q++) {
          const x0 = x[a];
          const x1 = x[a + c];
          const x2 = x[a + r];
          const x3 = x[a + r + c];
          if (!(x0 + x1 + x2 + x3 > Number.NEGATIVE_INFINITY)) {
            const best = firstMaximum(x, a, offsets);
            if (best >= 0) out[a + best] = g[q];
            continue;
          }
          const right = +(x1 > x0);
          const rightBelow = +(x3 > x2);
          const below = (+(x2 > x0) & +(x2 > x1)) | (+(x3 > x0) & +(x3 > x1));
          out[a + below * (r + rightBelow * c) + (1 - below) * right * c] = g[q];
        }
      }
    }
  }
}

/**
 * MaxPoolGrad as one pass over the pooling windows: each window sends its dy to the position
 * of its first maximum (the tie rule of the cpu reference kernel; padding never wins). The
 * wasm kernel took about a quarter of a CNN training step.
 */
function maxPoolGrad(tf: Tf): KernelFunc {
  return ({ inputs, backend: anyBackend, attrs }) => {
    const backend = anyBackend as Backend;
    const { dy, input } = inputs as { dy: TensorInfo; input: TensorInfo };
    const a = attrs as {
      filterSize: number | [number, number];
      strides: number | [number, number];
    };
    const p = attrs as {
      pad: 'valid' | 'same' | number;
      dimRoundingMode?: 'floor' | 'round' | 'ceil';
    };
    const info: PoolInfo = tf.backend_util.computePool2DInfo(
      input.shape as [number, number, number, number],
      a.filterSize,
      a.strides,
      1,
      p.pad as never,
      p.dimRoundingMode,
    );
    const memory = memoryOf(backend);
    const dx = memory.alloc(input.shape);
    const [x, g, out] = [memory.read(input), memory.read(dy), dx.values()];
    out.fill(0);
    if (isPlainTwoByTwo(info)) {
      maxPoolGradTwoByTwo(x, g, out, info);
      return dx.info;
    }
    const { inHeight: h, inWidth: w, inChannels: c } = info;
    let q = 0;
    for (let b = 0; b < info.batchSize; b++) {
      for (let i = 0; i < info.outHeight; i++) {
        const r0 = i * info.strideHeight - info.padInfo.top;
        for (let j = 0; j < info.outWidth; j++) {
          const c0 = j * info.strideWidth - info.padInfo.left;
          for (let ch = 0; ch < c; ch++, q++) {
            let best = -1;
            let bestValue = Number.NEGATIVE_INFINITY;
            for (let r = Math.max(0, r0); r < Math.min(h, r0 + info.filterHeight); r++) {
              for (let s = Math.max(0, c0); s < Math.min(w, c0 + info.filterWidth); s++) {
                const at = ((b * h + r) * w + s) * c + ch;
                if (x[at] > bestValue) {
                  bestValue = x[at];
                  best = at;
                }
              }
            }
            if (best >= 0) out[best] += g[q];
          }
        }
      }
    }
    return dx.info;
  };
}

/**
 * Sum over all leading axes (the bias gradient of dense and conv layers) as one pass over the
 * rows with float64 accumulators; other reductions go to the original kernel. The wasm kernel
 * transposes its input first when the reduced axes are not the innermost (about twice the
 * time here). A GEMM with a row of ones was tried and lost: XNNPACK repacks the new gradient
 * as its weight matrix on every call.
 */
function sumLeadingAxes(original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [axis]
      .flat()
      .map((v) => (v < 0 ? v + rank : v))
      .sort((p, q) => p - q);
    const leading = rank >= 2 && axes.length === rank - 1 && axes.every((v, i) => v === i);
    if (!leading || x.dtype !== 'float32' || keepDims) return original(args);
    const memory = memoryOf(args.backend as Backend);
    const width = x.shape[rank - 1];
    const acc = new Float64Array(width);
    const values = memory.read(x);
    // Four rows per pass (added in float64, as JavaScript numbers are): a quarter of the
    // accumulator loads and stores.
    const block = 4 * width;
    const end = values.length - (values.length % block);
    for (let i = 0; i < end; i += block) {
      for (let j = i; j < i + width; j++) {
        acc[j - i] +=
          values[j] + values[j + width] + (values[j + 2 * width] + values[j + 3 * width]);
      }
    }
    for (let i = end; i < values.length; i += width) {
      for (let j = 0; j < width; j++) acc[j] += values[i + j];
    }
    const out = memory.alloc([width]);
    out.values().set(acc);
    return out.info;
  };
}

/**
 * Conv2DBackpropInput for stride 1 as a forward convolution (the backend's fast XNNPACK
 * kernel): dx = conv(pad(dy), W flipped in space with its channel axes swapped), the "full"
 * correlation of the chain rule, dx[j] = sum over k of dy[j + top - k] W[k]. The padding puts
 * KH-1-top rows before dy and H-OH+top after it (likewise for columns). Strided
 * convolutions would need a dilated dy and keep the original kernel.
 */
function conv2DBackpropInput(tf: Tf, base: BaseKernels, original: KernelFunc): KernelFunc {
  return (args) => {
    const { dy, filter } = args.inputs as { dy: TensorInfo; filter: TensorInfo };
    const a = args.attrs as unknown as ConvAttrs & { inputShape: [number, number, number, number] };
    const info = convGeometry(
      tf,
      'Conv2DBackpropInput',
      { x: a.inputShape, filter: filter.shape },
      a,
    );
    if (info.strideHeight !== 1 || info.strideWidth !== 1) return original(args);
    const backend = args.backend as Backend;
    const { top, left } = info.padInfo;
    const [, h, w] = a.inputShape;
    const paddings = [
      [0, 0],
      [info.filterHeight - 1 - top, h - info.outHeight + top],
      [info.filterWidth - 1 - left, w - info.outWidth + left],
      [0, 0],
    ];
    // Equal padding on all four sides (3x3 'valid' and 'same') is left to the convolution
    // itself, which reads it without a padded copy of dy.
    const even = paddings
      .slice(1, 3)
      .flat()
      .every((v) => v === paddings[1][0]);
    const dyPadded = even ? dy : call(base.pad, backend, { x: dy }, { paddings, constantValue: 0 });
    const flipped = call(base.reverse, backend, { x: filter }, { dims: [0, 1] });
    const swapped = call(base.transpose, backend, { x: flipped }, { perm: [0, 1, 3, 2] });
    const dx = call(
      base.conv2d,
      backend,
      { x: dyPadded, filter: swapped },
      { strides: 1, pad: even ? paddings[1][0] : 'valid', dataFormat: 'NHWC', dilations: 1 },
    );
    for (const t of even ? [flipped, swapped] : [dyPadded, flipped, swapped]) {
      backend.disposeData(t.dataId);
    }
    return dx;
  };
}

/**
 * Mean over axes whose sizes multiply to 1 (the per-example mean of a loss over a last axis of
 * size 1) is a reshape; the wasm kernel spent milliseconds on it per step. Other reductions go
 * to the original kernel.
 */
function meanOverUnitAxes(base: BaseKernels, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    const { axis, keepDims } = args.attrs as { axis: number | number[]; keepDims: boolean };
    const rank = x.shape.length;
    const axes = [axis].flat().map((v) => (v < 0 ? v + rank : v));
    if (x.dtype !== 'float32' || axes.some((a) => x.shape[a] !== 1)) return original(args);
    const shape = keepDims ? x.shape : x.shape.filter((_, i) => !axes.includes(i));
    return call(base.reshape, args.backend as Backend, { x }, { shape });
  };
}

/**
 * Identity as a shared reference to the input's memory (a reshape to the same shape), as the
 * cpu backend does; the wasm kernel copied the tensor, 51 times per CNN training step (clones
 * in the optimizer and layers). TF.js never writes into a tensor's memory after creation, so
 * sharing is safe. Strings go to the original kernel.
 */
function sharedIdentity(base: BaseKernels, original: KernelFunc): KernelFunc {
  return (args) => {
    const { x } = args.inputs as { x: TensorInfo };
    if (x.dtype === 'string') return original(args);
    return call(base.reshape, args.backend as Backend, { x }, { shape: x.shape });
  };
}

const TO_NHWC = [0, 2, 3, 1];
const TO_NCHW = [0, 3, 1, 2];

/** Which inputs of a convolution kernel are images, and whether its output is one. */
const IMAGE_ROLES: Record<string, { images: string[]; imageOutput: boolean }> = {
  Conv2D: { images: ['x'], imageOutput: true },
  Conv2DBackpropInput: { images: ['dy'], imageOutput: true },
  Conv2DBackpropFilter: { images: ['x', 'dy'], imageOutput: false },
};

/**
 * A convolution kernel that accepts dataFormat 'NCHW' by transposing its images to NHWC (the
 * only layout of the wasm kernels) and its image output back; NHWC calls pass straight through.
 * The filter layout [KH, KW, Ci, Co] is the same in both formats.
 */
function channelsFirstAsLast(base: BaseKernels, kernelName: string, nhwc: KernelFunc): KernelFunc {
  const { images, imageOutput } = IMAGE_ROLES[kernelName];
  return (args) => {
    const attrs = args.attrs as Record<string, unknown>;
    if (attrs.dataFormat !== 'NCHW') return nhwc(args);
    const backend = args.backend as Backend;
    const inputs = { ...(args.inputs as Record<string, TensorInfo>) };
    const temporary: TensorInfo[] = [];
    for (const name of images) {
      inputs[name] = call(base.transpose, backend, { x: inputs[name] }, { perm: TO_NHWC });
      temporary.push(inputs[name]);
    }
    const shape = attrs.inputShape as number[] | undefined;
    const lastAttrs = {
      ...attrs,
      dataFormat: 'NHWC',
      ...(shape ? { inputShape: TO_NHWC.map((axis) => shape[axis]) } : {}),
    };

    const out = nhwc({ inputs, backend, attrs: lastAttrs as never }) as TensorInfo;
    for (const t of temporary) backend.disposeData(t.dataId);
    if (!imageOutput) return out;
    const first = call(base.transpose, backend, { x: out }, { perm: TO_NCHW });
    backend.disposeData(out.dataId);
    return first;
  };
}

interface Registration {
  original: KernelConfig | undefined;
  replacement: KernelConfig;
}

/** What registerFastKernels changed, per TF.js engine, so it can be undone and redone. */
const registrations = new WeakMap<object, Registration[]>();

function swap(
  tf: Tf,
  from: KernelConfig | undefined,
  to: KernelConfig | undefined,
  name: string,
  backend: string,
): void {
  if (from || tf.getKernel(name, backend)) tf.unregisterKernel(name, backend);
  if (to) tf.registerKernel(to);
}

function replace(tf: Tf, config: KernelConfig): void {
  const original = tf.getKernel(config.kernelName, config.backendName);
  // Keep the original's setup and dispose hooks: the wasm kernels bind their C functions there.
  const replacement = { ...original, ...config };
  swap(tf, original, replacement, config.kernelName, config.backendName);
  registrations.get(tf.engine())!.push({ original, replacement });
}

/**
 * Switches between tsgym's replacement kernels and the backends' own (for benchmarks that
 * measure the stock kernels as a baseline in the same process).
 *
 * @param enabled - true for the replacements, false for the stock kernels.
 */
export function setFastKernels(tf: Tf, enabled: boolean): void {
  registerFastKernels(tf);
  for (const { original, replacement } of registrations.get(tf.engine()) ?? []) {
    const [from, to] = enabled ? [original, replacement] : [replacement, original];
    swap(tf, from, to, replacement.kernelName, replacement.backendName);
  }
}

/**
 * Registers every kernel of {@link REPLACEMENT_KERNELS} whose backend is registered in `tf`.
 * Safe to call more than once.
 *
 * @param tf - the TF.js module the kernels are registered in.
 */
export function registerFastKernels(tf: Tf): void {
  if (registrations.has(tf.engine())) return;
  registrations.set(tf.engine(), []);
  const wasm = baseKernels(tf, 'wasm');
  if (!wasm) return;
  const matMul = splitMatMul('BatchMatMul', wasm.matMul);
  replace(tf, {
    kernelName: 'BatchMatMul',
    backendName: 'wasm',
    kernelFunc: explicitTransposeMatMul(wasm, matMul),
  });
  const fusedMatMul = splitMatMul('_FusedMatMul', wasm.fusedMatMul);
  replace(tf, {
    kernelName: '_FusedMatMul',
    backendName: 'wasm',
    kernelFunc: explicitTransposeMatMul(wasm, fusedMatMul),
  });
  replace(tf, {
    kernelName: 'Conv2D',
    backendName: 'wasm',
    kernelFunc: channelsFirstAsLast(wasm, 'Conv2D', splitKernel(conv2DSpec(tf), wasm.conv2d)),
  });
  const input = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (input) {
    replace(tf, {
      kernelName: 'Conv2DBackpropInput',
      backendName: 'wasm',
      kernelFunc: channelsFirstAsLast(
        wasm,
        'Conv2DBackpropInput',
        splitKernel(conv2DBackpropInputSpec(), conv2DBackpropInput(tf, wasm, input.kernelFunc)),
      ),
    });
  }
  replace(tf, {
    kernelName: 'Conv2DBackpropFilter',
    backendName: 'wasm',
    kernelFunc: channelsFirstAsLast(
      wasm,
      'Conv2DBackpropFilter',
      splitKernel(conv2DBackpropFilterSpec(), conv2DBackpropFilter(tf, wasm)),
    ),
  });
  replace(tf, { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGrad(tf) });
  const mean = tf.getKernel('Mean', 'wasm');
  if (mean)
    replace(tf, {
      kernelName: 'Mean',
      backendName: 'wasm',
      kernelFunc: meanOverUnitAxes(wasm, mean.kernelFunc),
    });
  const identity = tf.getKernel('Identity', 'wasm');
  if (identity) {
    replace(tf, {
      kernelName: 'Identity',
      backendName: 'wasm',
      kernelFunc: sharedIdentity(wasm, identity.kernelFunc),
    });
  }
  const sum = tf.getKernel('Sum', 'wasm');
  if (sum)
    replace(tf, {
      kernelName: 'Sum',
      backendName: 'wasm',
      kernelFunc: sumLeadingAxes(sum.kernelFunc),
    });
}
