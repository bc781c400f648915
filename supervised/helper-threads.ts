/**
 * Helper threads for the wasm backend. TF.js runs its wasm build single-threaded in Node (the
 * threaded build needs browser workers), so a 2-core machine trains on one core. tsgym starts
 * worker threads with their own wasm backend, and the heavy kernels (convolutions and their
 * gradients, large matrix products; see `kernels.ts`) split their batch between the main
 * thread and the helpers: each part runs the same single-thread kernel, inputs and outputs
 * travel through shared memory, and the main thread blocks until every part is back.
 *
 * The split is fixed by the shapes and the thread count, never by timing, so a run is
 * reproducible bit for bit for a given thread count. Parts that are concatenated (forward
 * convolutions, input gradients, matrix rows) equal the single-thread result exactly; a filter
 * gradient is the sum of per-part sums, which rounds differently from one thread.
 */
import os from 'node:os';
import {
  MessageChannel,
  type MessagePort,
  Worker,
  receiveMessageOnPort,
} from 'node:worker_threads';
import { InvalidConfigError, describeValue } from '../src/index';
import { CONTROL, type HelperRequest } from './helper-protocol';

/** Environment variable setting how many threads the wasm backend's heavy kernels use. */
export const TF_THREADS_ENV = 'TSGYM_TF_THREADS';

/** Most threads tsgym starts by default (each helper holds its own wasm heap). */
export const MAX_DEFAULT_THREADS = 4;

/** How long a helper may take to load TF.js before tsgym gives up on it. */
const START_TIMEOUT_MS = 60_000;

/** A float32 array and its shape, as handed to or received from a helper. */
export interface HostTensor {
  /** Row-major values. */
  values: Float32Array;
  /** Dimensions. */
  shape: number[];
}

/** One helper thread: its worker, control block, port and shared data buffer. */
export class HelperThread {
  /** Kernel calls sent to this helper so far. */
  calls = 0;
  private buffer = new SharedArrayBuffer(1 << 20);
  private outSize = 0;
  private outOffset = 0;

  /** Why the helper stopped, once it has. */
  private stopped: string | undefined;

  private constructor(
    private readonly worker: Worker,
    private readonly control: Int32Array,
    private readonly port: MessagePort,
  ) {
    worker.on('error', (error) => (this.stopped ??= error.message));
    worker.on('exit', (code) => (this.stopped ??= `exit code ${code}`));
  }

  /** Starts a helper and waits until its wasm backend is ready. */
  static async start(): Promise<HelperThread> {
    const control = new Int32Array(new SharedArrayBuffer(CONTROL.size * 4));
    const { port1, port2 } = new MessageChannel();
    const worker = new Worker(new URL('./helper-worker.mjs', import.meta.url), {
      workerData: { control, port: port2 },
      transferList: [port2],
    });
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('no answer in 60 s')), START_TIMEOUT_MS);
        worker.once('message', () => (clearTimeout(timer), resolve()));
        worker.once('error', (error) => (clearTimeout(timer), reject(error)));
        worker.once('exit', (code) => (clearTimeout(timer), reject(new Error(`exit ${code}`))));
      });
    } catch (error) {
      await worker.terminate();
      throw error;
    } finally {
      worker.removeAllListeners();
    }
    // An idle helper must not keep the process alive.
    worker.unref();
    port1.unref();
    return new HelperThread(worker, control, port1);
  }

  /**
   * Sends one kernel call; returns at once. Call {@link HelperThread.wait} before the next.
   *
   * @param outShape - the shape the output will have (sizes the shared buffer).
   */
  start(
    kernel: string,
    inputs: Record<string, HostTensor>,
    attrs: Record<string, unknown>,
    outShape: number[],
  ): void {
    const sizes = Object.values(inputs).map((t) => t.values.length);
    const outSize = outShape.reduce((a, b) => a * b, 1);
    const bytes = 4 * (sizes.reduce((a, b) => a + b, 0) + outSize);
    if (this.buffer.byteLength < bytes)
      this.buffer = new SharedArrayBuffer(Math.ceil(bytes * 1.25));
    const placed: HelperRequest['inputs'] = {};
    let offset = 0;
    for (const [name, t] of Object.entries(inputs)) {
      new Float32Array(this.buffer, offset, t.values.length).set(t.values);
      placed[name] = { offset, shape: t.shape };
      offset += 4 * t.values.length;
    }
    this.outOffset = offset;
    this.outSize = outSize;

    this.calls++;
    Atomics.store(this.control, CONTROL.done, 0);
    const request: HelperRequest = {
      kernel,
      buffer: this.buffer,
      inputs: placed,
      attrs,
      outOffset: offset,
    };
    this.port.postMessage(request);
    Atomics.store(this.control, CONTROL.request, 1);
    Atomics.notify(this.control, CONTROL.request);
  }

  /**
   * Blocks until the call sent by {@link HelperThread.start} is done.
   *
   * @returns the output as a view into shared memory, valid until the next call.
   * @throws Error with the helper's message when its kernel failed.
   */
  wait(): HostTensor {
    while (Atomics.wait(this.control, CONTROL.done, 0, 1000) === 'timed-out') {
      // Events cannot arrive while this thread blocks; the thread id turns -1 on exit.
      if (this.worker.threadId < 0 || this.stopped) {
        throw new Error(
          `tsgym wasm helper thread stopped (${this.stopped ?? 'exited'}); rerun with ` +
            `--threads 1 (or ${TF_THREADS_ENV}=1) to train without helpers.`,
        );
      }
    }
    if (this.control[CONTROL.failed] === 1) {
      const message = receiveMessageOnPort(this.port)?.message as string | undefined;
      throw new Error(`tsgym wasm helper thread: ${message ?? 'unknown error'}`);
    }
    const rank = this.control[CONTROL.rank];
    const shape = Array.from(this.control.subarray(CONTROL.shape, CONTROL.shape + rank));
    const size = shape.reduce((a, b) => a * b, 1);
    if (size !== this.outSize) {
      throw new Error(
        `tsgym wasm helper thread: output of ${size} values, expected ${this.outSize}`,
      );
    }
    return { values: new Float32Array(this.buffer, this.outOffset, size), shape };
  }

  /** Stops the helper. */
  async stop(): Promise<void> {
    await this.worker.terminate();
  }
}

/**
 * Waits for every helper's call, even when one fails or the main thread's own part threw, so
 * that no helper is left busy for the next call.
 *
 * @param helpers - helpers each sent one call by {@link HelperThread.start}.
 * @param localError - an error the main thread's part threw (rethrown after the wait).
 * @returns their outputs, in order.
 * @throws the main thread's error, else the first helper's.
 */
export function waitAll(helpers: readonly HelperThread[], localError?: unknown): HostTensor[] {
  const outputs: HostTensor[] = [];
  let failure = localError;
  for (const helper of helpers) {
    try {
      outputs.push(helper.wait());
    } catch (error) {
      failure ??= error;
    }
  }
  if (failure !== undefined) throw failure;
  return outputs;
}

let helpers: HelperThread[] = [];
let starting: Promise<void> | undefined;
let startedThreads = 1;

/** The running helpers (empty when the wasm kernels run on one thread). */
export function activeHelpers(): readonly HelperThread[] {
  return helpers;
}

/**
 * The thread count for the wasm backend's heavy kernels.
 *
 * @param value - the count asked for (a flag); else {@link TF_THREADS_ENV}; else the number
 *   of cores, at most {@link MAX_DEFAULT_THREADS}.
 * @throws InvalidConfigError when the count is not a whole number from 1 to 64.
 */
export function resolveThreadCount(
  value?: number | string,
  env: Record<string, string | undefined> = process.env,
): number {
  const [raw, where] =
    value !== undefined && value !== ''
      ? [value, 'threads']
      : env[TF_THREADS_ENV] !== undefined && env[TF_THREADS_ENV] !== ''
        ? [env[TF_THREADS_ENV]!, TF_THREADS_ENV]
        : [undefined, ''];
  if (raw === undefined) return Math.min(os.availableParallelism(), MAX_DEFAULT_THREADS);
  const n = Number(raw);
  if (!Number.isInteger(n) || n < 1 || n > 64) {
    throw new InvalidConfigError(
      `${where}: expected a whole number of threads from 1 to 64, received ${describeValue(raw)}. ` +
        `Use 1 for the single-thread kernels or leave it unset for one per core.`,
    );
  }
  return n;
}

/**
 * Makes the wasm kernels use `threads` threads (the main thread and threads - 1 helpers),
 * starting or stopping helpers as needed.
 *
 * @returns the thread count in use: `threads`, or 1 when a helper could not start (the
 *   error goes to `onFailure`).
 */
export async function useHelperThreads(
  threads: number,
  onFailure?: (message: string) => void,
): Promise<number> {
  await starting;
  const run = async () => {
    while (helpers.length > threads - 1) await helpers.pop()!.stop();
    try {
      while (helpers.length < threads - 1) helpers.push(await HelperThread.start());
      startedThreads = threads;
    } catch (error) {
      await Promise.all(helpers.map((h) => h.stop()));
      helpers = [];
      startedThreads = 1;
      onFailure?.(`wasm helper thread did not start (${(error as Error).message}); one thread`);
    }
  };
  starting = run();
  await starting;
  return startedThreads;
}

/** The thread count the wasm kernels use now. */
export function helperThreadCount(): number {
  return helpers.length + 1;
}
