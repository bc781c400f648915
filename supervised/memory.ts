/**
 * Direct access to a backend's tensor memory for replacement kernels (`kernels.ts`,
 * `parallel-kernels.ts`).
 */
import type * as tfTypes from '@tensorflow/tfjs';

type TensorInfo = tfTypes.TensorInfo;
type Backend = tfTypes.KernelBackend;

/**
 * Direct access to a backend's tensor memory, so a replacement kernel can run a tight
 * JavaScript loop over it: the wasm heap (a view, no copy) or the cpu backend's arrays.
 */
export interface Memory {
  read(info: TensorInfo): Float32Array;
  alloc(shape: number[]): { info: TensorInfo; values: () => Float32Array };
}

/** The memory of `backend`: the wasm heap, or the cpu backend's arrays. */
export function memoryOf(backend: Backend): Memory {
  const b = backend as unknown as {
    typedArrayFromHeap?: (info: TensorInfo) => Float32Array;
    makeOutput?: (shape: number[], dtype: string) => TensorInfo;
    data?: { get(id: object): { values: Float32Array } };
    makeTensorInfo?: (shape: number[], dtype: string, values: Float32Array) => TensorInfo;
  };
  if (b.typedArrayFromHeap && b.makeOutput) {
    // The heap may grow (and its buffer detach) on allocation: views are taken after it.
    return {
      read: (info) => b.typedArrayFromHeap!(info),
      alloc: (shape) => {
        const info = b.makeOutput!(shape, 'float32');
        return { info, values: () => b.typedArrayFromHeap!(info) };
      },
    };
  }
  return {
    read: (info) => b.data!.get(info.dataId).values,
    alloc: (shape) => {
      const values = new Float32Array(shape.reduce((x, y) => x * y, 1));
      return { info: b.makeTensorInfo!(shape, 'float32', values), values: () => values };
    },
  };
}
