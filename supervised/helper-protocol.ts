/**
 * What the main thread and a wasm helper thread exchange (see `helper-threads.ts`): a small
 * shared control block of int32 words and, per request, one message naming the kernel and
 * where its inputs sit in a shared buffer.
 */
import type { MessagePort } from 'node:worker_threads';

/** Indices into the shared Int32Array control block. */
export const CONTROL = {
  /** Set to 1 by the main thread when a request message is waiting. */
  request: 0,
  /** Set to 1 by the helper when the request is finished. */
  done: 1,
  /** 1 when the request failed; the message is on the port. */
  failed: 2,
  /** Rank of the output. */
  rank: 3,
  /** First of up to 8 output dimensions. */
  shape: 4,
  /** Number of int32 words. */
  size: 12,
} as const;

/** One kernel call for a helper thread. */
export interface HelperRequest {
  /** TF.js kernel name, run on the helper's wasm backend. */
  kernel: string;
  /** Shared memory holding the float32 inputs and receiving the output. */
  buffer: SharedArrayBuffer;
  /** Byte offset and shape of each float32 input in `buffer`. */
  inputs: Record<string, { offset: number; shape: number[] }>;
  /** The kernel's attributes. */
  attrs: Record<string, unknown>;
  /** Byte offset in `buffer` where the output goes. */
  outOffset: number;
}

/** `workerData` of a helper thread. */
export interface HelperStart {
  /** The shared control block (length {@link CONTROL}.size). */
  control: Int32Array;
  /** Port the requests arrive on (read synchronously) and errors leave by. */
  port: MessagePort;
}
