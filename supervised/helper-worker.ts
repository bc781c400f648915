/**
 * Body of a wasm helper thread (see `helper-threads.ts`): its own TF.js wasm backend with
 * tsgym's single-thread kernels, running one kernel at a time on inputs the main thread put in
 * shared memory and writing the output back there. Everything here is synchronous after start
 * up: the thread blocks on the control word between requests.
 */
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { registerFastKernels } from './kernels';
import { memoryOf } from './memory';
import { CONTROL, type HelperRequest, type HelperStart } from './helper-protocol';

type TensorInfo = tf.TensorInfo;

const { control, port } = workerData as HelperStart;

/** Runs one request: copy inputs in, run the kernel, copy the output out. */
function serve(request: HelperRequest): void {
  const backend = tf.backend();
  const memory = memoryOf(backend);
  const kernel = tf.getKernel(request.kernel, 'wasm');
  if (!kernel) throw new Error(`wasm helper thread: no kernel ${request.kernel}`);
  const inputs: Record<string, TensorInfo> = {};
  for (const [name, { offset, shape }] of Object.entries(request.inputs)) {
    const { info, values } = memory.alloc(shape);
    values().set(
      new Float32Array(
        request.buffer,
        offset,
        shape.reduce((a, b) => a * b, 1),
      ),
    );
    inputs[name] = info;
  }

  const out = kernel.kernelFunc({ inputs, backend, attrs: request.attrs as never }) as TensorInfo;
  const values = memory.read(out);
  if (values.length * 4 > request.buffer.byteLength - request.outOffset) {
    throw new Error(`wasm helper thread: output of ${request.kernel} does not fit`);
  }
  new Float32Array(request.buffer, request.outOffset, values.length).set(values);
  control[CONTROL.rank] = out.shape.length;
  out.shape.forEach((d, i) => (control[CONTROL.shape + i] = d));
  for (const info of [...Object.values(inputs), out]) backend.disposeData(info.dataId);
}

tf.env().set('PROD', true);
registerFastKernels(tf);
await tf.setBackend('wasm');
await tf.ready();
parentPort!.postMessage('ready');
for (;;) {
  // A timeout keeps the thread responsive to termination even if a wake-up were missed.
  if (Atomics.wait(control, CONTROL.request, 0, 1000) === 'timed-out') continue;
  const request = receiveMessageOnPort(port)?.message as HelperRequest | undefined;
  Atomics.store(control, CONTROL.request, 0);
  if (request) {
    try {
      serve(request);
      control[CONTROL.failed] = 0;
    } catch (error) {
      control[CONTROL.failed] = 1;
      port.postMessage(error instanceof Error ? error.message : String(error));
    }
  }
  Atomics.store(control, CONTROL.done, 1);
  Atomics.notify(control, CONTROL.done);
}
